package dev.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Per-request: one chat completion sent over a plain socket by a client that behaves in a chosen way (reads
 * normally, slowly through a small receive buffer, stops reading for a while, or leaves on purpose), and the
 * {@link Outcome} the soak test counts. Every way a response can end maps to exactly one outcome; anything the
 * gateway must never do (hang, HTML, garbage, a managed stream cut without an in-band error) is {@link Kind#LOST}.
 */
final class SoakClient {

    /** How the client treats the response. */
    enum Behaviour {
        /** Reads everything as fast as it comes. */
        NORMAL,
        /** A 2 KiB receive buffer, 256-byte reads with a pause after each. */
        SLOW_READER,
        /** Reads the first event, stops reading for 1–2.5 s, then reads the rest. */
        STALLS,
        /** As {@link #STALLS}, with a 2 KiB receive buffer: the gateway's buffers must take what the client does not. */
        STALLS_SMALL_BUFFER,
        /** Leaves (FIN) after {@code leaveAfterEvents} events. */
        LEAVES,
        /** Leaves with RST after {@code leaveAfterEvents} events. */
        ABORTS,
        /** Sends the request and resets the connection before reading any of the response. */
        ABORTS_AT_ONCE
    }

    enum Kind { STREAM_COMPLETE, BODY_COMPLETE, ERROR_STATUS, IN_BAND_ERROR, CLIENT_LEFT, LOST }

    /**
     * What one request ended with; {@code label} is the counting key, {@code detail} explains a lost one, and
     * {@code sent} says which connection it was and when, to find the gateway's log lines of a lost one.
     */
    record Outcome(Kind kind, String label, String detail, Sent sent) {
        static Outcome of(Kind kind, String label) {
            return new Outcome(kind, label, null, null);
        }

        static Outcome lost(String why, String received) {
            String excerpt = received.length() > 600 ? received.substring(0, 600) + "…" : received;
            return new Outcome(Kind.LOST, "lost", why + "; received " + received.length() + " chars: "
                    + excerpt.replace("\r", "\\r").replace("\n", "\\n"), null);
        }

        Outcome sentAs(Sent sent) {
            return new Outcome(kind, label, detail, sent);
        }
    }

    /**
     * One request as sent: the client's local port (the gateway logs each request's arrival with it, at debug),
     * when the request was written (this machine's local time, as the gateway's log prints it), and what was asked.
     */
    record Sent(int localPort, LocalDateTime at, long nanos, String what) {
        @Override
        public String toString() {
            return "port " + localPort + ", sent " + at + ", " + what;
        }

        /** How long after sending something happened: an immediate cut and one after a timeout differ in cause. */
        String after() {
            return " after " + (System.nanoTime() - nanos) / 1_000_000 + " ms";
        }
    }

    private static final int MAX_HEAD = 16 * 1024;

    private final URI base;
    private final Duration timeout;
    private final PortHistory ports = new PortHistory();

    SoakClient(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
    }

    Outcome exchange(String path, String key, String json, boolean stream, Behaviour behaviour, int leaveAfterEvents,
            long stallMillis) {
        Outcome outcome = exchangeOnce(path, key, json, stream, behaviour, leaveAfterEvents, stallMillis);
        Sent sent = outcome.sent();
        if (sent == null || sent.localPort() == 0) {
            return outcome;
        }
        ports.ended(sent.localPort(), sent.nanos(), outcome.kind());
        if (outcome.kind() == Kind.LOST) {
            // What this port carried just before: a port the kernel hands out again at once (an RST leaves no
            // TIME_WAIT) may meet remnants of its previous connection.
            outcome = new Outcome(outcome.kind(), outcome.label(), outcome.detail() + "; this port before: "
                    + ports.describe(sent.localPort(), sent.nanos()), sent);
        }
        return outcome;
    }

    private Outcome exchangeOnce(String path, String key, String json, boolean stream, Behaviour behaviour,
            int leaveAfterEvents, long stallMillis) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String what = path + (stream ? " stream" : " whole") + " " + behaviour
                + (behaviour == Behaviour.LEAVES || behaviour == Behaviour.ABORTS ? " after " + leaveAfterEvents
                        + " events" : "")
                + (behaviour == Behaviour.STALLS || behaviour == Behaviour.STALLS_SMALL_BUFFER ? " for "
                        + stallMillis + " ms" : "");
        Sent sent = new Sent(0, LocalDateTime.now(), System.nanoTime(), what);
        try (Socket socket = new Socket()) {
            if (behaviour == Behaviour.SLOW_READER || behaviour == Behaviour.STALLS_SMALL_BUFFER) {
                socket.setReceiveBufferSize(2048);
            }
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            sent = new Sent(socket.getLocalPort(), LocalDateTime.now(), System.nanoTime(), what);
            ports.sent(sent.localPort(), sent.nanos(), behaviour); // before anything can end it
            socket.getOutputStream().write(RawStream.post(base, path, key, json, "Connection: close")
                    .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (behaviour == Behaviour.ABORTS_AT_ONCE) {
                socket.setSoLinger(true, 0);
                return Outcome.of(Kind.CLIENT_LEFT, "client left before the response").sentAs(sent);
            }
            InputStream raw = new DeadlineInputStream(socket, deadline);
            InputStream in = behaviour == Behaviour.SLOW_READER ? new SlowInputStream(raw) : raw;
            Reader reader = new Reader(in);
            try {
                return read(reader, stream, behaviour, leaveAfterEvents, stallMillis, socket).sentAs(sent);
            } catch (SocketTimeoutException hang) {
                return Outcome.lost("no complete response within " + timeout, reader.everything()).sentAs(sent);
            } catch (IOException cut) {
                return Outcome.lost("connection ended early (" + cut + ")" + sent.after(), reader.everything())
                        .sentAs(sent);
            }
        } catch (IOException e) {
            return Outcome.lost("could not send the request (" + e + ")", "").sentAs(sent);
        }
    }

    private Outcome read(Reader reader, boolean stream, Behaviour behaviour, int leaveAfterEvents, long stallMillis,
            Socket socket) throws IOException {
        Map<String, String> headers = reader.head();
        int status = reader.status;
        String contentType = headers.getOrDefault("content-type", "");
        boolean chunked = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
        long length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
        boolean leaving = behaviour == Behaviour.LEAVES || behaviour == Behaviour.ABORTS;
        boolean stalled = false;
        while (!reader.bodyComplete(chunked, length)) {
            reader.next(chunked, length);
            int events = RawStream.count(reader.body(), "\n\n");
            if (status == 200 && leaving && events >= leaveAfterEvents && !reader.bodyComplete(chunked, length)) {
                if (behaviour == Behaviour.ABORTS) {
                    socket.setSoLinger(true, 0);
                }
                return Outcome.of(Kind.CLIENT_LEFT, "client left mid-stream");
            }
            if ((behaviour == Behaviour.STALLS || behaviour == Behaviour.STALLS_SMALL_BUFFER) && !stalled
                    && events >= 1) {
                stalled = true;
                LockSupport.parkNanos(stallMillis * 1_000_000); // the client's behaviour, not synchronisation
            }
        }
        return classify(status, headers, contentType, reader.body(), stream, reader.everything());
    }

    private static Outcome classify(int status, Map<String, String> headers, String contentType, String body,
            boolean stream, String everything) {
        if (status != 200) {
            JsonNode error = errorObject(contentType, body);
            if (error == null) {
                return Outcome.lost("status " + status + " without an OpenAI-shaped error body", everything);
            }
            // RELIABILITY.md: every 429 says when to come back, and so does the gateway's own overload 503; a vendor's
            // 503 relayed in the same status class may come without one.
            if ((status == 429 || error.path("code").asText().equals("gateway_overloaded"))
                    && !headers.containsKey("retry-after")) {
                return Outcome.lost("status " + status + " without Retry-After", everything);
            }
            return Outcome.of(Kind.ERROR_STATUS, status + " " + error.path("code").asText());
        }
        if (!stream) {
            JsonNode completion = json(body);
            if (!contentType.startsWith("application/json") || completion == null
                    || !completion.path("choices").isArray() || completion.has("error")) {
                return Outcome.lost("200 without a chat completion", everything);
            }
            return Outcome.of(Kind.BODY_COMPLETE, "200 body");
        }
        if (!contentType.startsWith("text/event-stream")) {
            return Outcome.lost("a stream answered with " + contentType, everything);
        }
        List<String> events = Api.dataEvents(body);
        if (events.isEmpty()) {
            return Outcome.lost("a stream without events", everything);
        }
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = json(event);
            if (chunk == null || !chunk.path("choices").isArray()) {
                return Outcome.lost("an event that is not a chunk before the end", everything);
            }
        }
        String last = events.get(events.size() - 1);
        if (last.equals("[DONE]")) {
            return Outcome.of(Kind.STREAM_COMPLETE, "200 stream [DONE]");
        }
        JsonNode error = errorObject("application/json", last);
        if (error == null) {
            return Outcome.lost("a stream ended without [DONE] or an in-band error", everything);
        }
        return Outcome.of(Kind.IN_BAND_ERROR, "in-band " + error.path("code").asText());
    }

    /** The {@code error} object of an OpenAI-shaped error body, or null when the body is anything else. */
    private static JsonNode errorObject(String contentType, String body) {
        if (!contentType.startsWith("application/json")) {
            return null;
        }
        JsonNode root = json(body);
        JsonNode error = root == null ? null : root.path("error");
        if (error == null || !error.isObject() || !error.path("message").isTextual() || !error.path("type").isTextual()
                || !error.has("code") || !error.has("param")) {
            return null;
        }
        return error;
    }

    private static JsonNode json(String text) {
        try {
            return Api.JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** An HTTP/1.1 response read incrementally: head, then the body chunk by chunk (framing removed). */
    private static final class Reader {
        private final InputStream in;
        private final ByteArrayOutputStream everything = new ByteArrayOutputStream();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean lastChunkSeen;
        private boolean eof;
        int status;

        Reader(InputStream in) {
            this.in = in;
        }

        Map<String, String> head() throws IOException {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line");
            }
            status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            return headers;
        }

        boolean bodyComplete(boolean chunked, long length) {
            if (chunked) {
                return lastChunkSeen;
            }
            return length >= 0 ? body.size() >= length : eof;
        }

        /** Reads the next piece of the body: one chunk, or whatever arrives of a length- or close-delimited body. */
        void next(boolean chunked, long length) throws IOException {
            if (chunked) {
                String sizeLine = line();
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                        // no trailers expected; skip any
                    }
                    lastChunkSeen = true;
                    return;
                }
                byte[] data = in.readNBytes(size);
                everything.writeBytes(data);
                body.writeBytes(data);
                if (data.length != size || !line().isEmpty()) {
                    throw new EOFException("chunk cut short");
                }
                return;
            }
            byte[] buffer = new byte[8192];
            int wanted = length >= 0 ? (int) Math.min(buffer.length, length - body.size()) : buffer.length;
            int read = in.read(buffer, 0, wanted);
            if (read < 0) {
                if (length >= 0) {
                    throw new EOFException("body shorter than Content-Length");
                }
                eof = true;
                return;
            }
            everything.write(buffer, 0, read);
            body.write(buffer, 0, read);
        }

        String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        String everything() {
            return everything.toString(StandardCharsets.UTF_8);
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("connection ended mid-line");
                }
                if (line.size() >= MAX_HEAD) {
                    throw new IOException("line too long");
                }
                everything.write(b);
                line.write(b);
            }
            everything.write('\n');
            byte[] bytes = line.toByteArray();
            int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        }
    }

    /** Buffered socket input that fails with {@link SocketTimeoutException} once the request's deadline passes. */
    private static final class DeadlineInputStream extends FilterInputStream {
        private final Socket socket;
        private final long deadline;
        private final byte[] buffer = new byte[8192];
        private int position;
        private int limit;

        DeadlineInputStream(Socket socket, long deadline) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position == limit && !fill()) {
                return -1;
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(buffer, position, target, offset, n);
            position += n;
            return n;
        }

        private boolean fill() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("request deadline");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int read = in.read(buffer, 0, buffer.length);
            if (read < 0) {
                return false;
            }
            position = 0;
            limit = read;
            return true;
        }
    }

    /** Hands out at most 256 bytes per read and pauses 2 ms after each: a reader slower than the stream. */
    private static final class SlowInputStream extends FilterInputStream {
        SlowInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            int read = in.read(target, offset, Math.min(length, 256));
            LockSupport.parkNanos(2_000_000); // the reader's own pace
            return read;
        }
    }

    /**
     * The last few requests sent from each local port, kept in arrays allocated once (the soak compares the heap
     * between its checkpoints): when, with which behaviour, and how each ended. Thread-safe.
     */
    private static final class PortHistory {
        private static final int SLOTS = 4;
        private final long[] sentNanos = new long[65536 * SLOTS];
        private final byte[] behaviours = new byte[65536 * SLOTS];
        private final byte[] kinds = new byte[65536 * SLOTS];
        private final byte[] next = new byte[65536];

        synchronized void sent(int port, long nanos, Behaviour behaviour) {
            int slot = port * SLOTS + next[port];
            sentNanos[slot] = nanos;
            behaviours[slot] = (byte) behaviour.ordinal();
            kinds[slot] = -1; // not ended yet
            next[port] = (byte) ((next[port] + 1) % SLOTS);
        }

        synchronized void ended(int port, long nanos, Kind kind) {
            for (int slot = port * SLOTS; slot < (port + 1) * SLOTS; slot++) {
                if (sentNanos[slot] == nanos) {
                    kinds[slot] = (byte) kind.ordinal();
                }
            }
        }

        /** The earlier requests from {@code port}, newest first, relative to {@code nanos}. */
        synchronized String describe(int port, long nanos) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= SLOTS; i++) {
                int slot = port * SLOTS + Math.floorMod(next[port] - i, SLOTS);
                if (sentNanos[slot] != 0 && sentNanos[slot] != nanos) {
                    out.append(out.length() == 0 ? "" : ", ").append(Behaviour.values()[behaviours[slot]])
                            .append(" sent ").append((nanos - sentNanos[slot]) / 1_000_000).append(" ms earlier, ")
                            .append(kinds[slot] < 0 ? "not ended" : Kind.values()[kinds[slot]]);
                }
            }
            return out.length() == 0 ? "(none in this run)" : out.toString();
        }
    }
}
