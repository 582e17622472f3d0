package dev.switchboard.it;

import dev.switchboard.it.FaultAttempt.ClientEnd;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One accepted connection of the {@link FaultUpstream}, at the socket level: reads the HTTP/1.1 request itself and
 * lets a {@link Fault} write anything, end with FIN or RST, or hold the connection. Per-connection object, used only
 * by that connection's thread.
 */
public final class FaultConnection {
    /** Generous limits for a request from the gateway; a request over them is a test bug. */
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_BODY = 64 * 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final FaultAttempt attempt;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    FaultConnection(Socket socket, FaultAttempt attempt) throws IOException {
        this.socket = socket;
        this.attempt = attempt;
        socket.setTcpNoDelay(true); // each write its own segment, so "split frames" really are split
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public FaultAttempt attempt() {
        return attempt;
    }

    /** Reads the request line, headers and body (Content-Length or chunked) and records them. */
    void readRequest(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        String requestLine = line();
        String[] parts = requestLine.split(" ", 3);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x request line");
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line");
            }
            headers.computeIfAbsent(header.substring(0, colon).trim(), name -> new ArrayList<>())
                    .add(header.substring(colon + 1).trim());
        }
        byte[] body;
        List<String> encoding = headers.getOrDefault("Transfer-Encoding", List.of());
        if (encoding.stream().anyMatch(value -> value.toLowerCase(Locale.ROOT).contains("chunked"))) {
            body = chunkedBody();
        } else {
            List<String> length = headers.getOrDefault("Content-Length", List.of("0"));
            int size = Integer.parseInt(length.get(0));
            if (size < 0 || size > MAX_BODY) {
                throw new IOException("Content-Length out of range");
            }
            body = in.readNBytes(size);
            if (body.length != size) {
                throw new EOFException("request body ended early");
            }
        }
        attempt.request(parts[0], parts[1], headers, body, Instant.now());
        socket.setSoTimeout(0);
    }

    private byte[] chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are not recorded
                }
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY) {
                throw new IOException("chunked request body too large");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size || !line().isEmpty()) {
                throw new IOException("malformed chunk");
            }
            body.write(chunk);
        }
    }

    /** One line without its CRLF (or bare LF). */
    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection ended inside the request");
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("request line too long");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    /** Writes and flushes: one TCP segment per call (Nagle is off). */
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** One chunk of a {@code Transfer-Encoding: chunked} body. */
    public void chunk(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return; // an empty chunk would end the body
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream(bytes.length + 16);
        frame.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        frame.writeBytes(bytes);
        frame.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        write(frame.toByteArray());
    }

    /** The last chunk: the body is complete. */
    public void endChunks() throws IOException {
        write("0\r\n\r\n");
    }

    /** Closes the upstream's sending side (FIN); the gateway may still close or reset its own. */
    public void fin() throws IOException {
        if (!socket.isOutputShutdown()) {
            socket.shutdownOutput();
        }
    }

    /** Aborts the connection with RST (SO_LINGER 0, then close). */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    /**
     * Waits up to {@code duration} while watching the gateway's side; true when the time passed with the connection
     * still open, false when the gateway closed or reset it first (recorded).
     */
    public boolean hold(Duration duration) throws IOException {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            while (true) {
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (left <= 0) {
                    return true;
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                try {
                    if (in.read() < 0) {
                        attempt.clientEnded(ClientEnd.FIN, Instant.now());
                        return false;
                    }
                } catch (SocketTimeoutException timeout) {
                    return true;
                }
            }
        } catch (IOException broken) {
            if (socket.isClosed()) {
                throw broken; // closed by FaultUpstream.stop(): not the gateway's doing
            }
            attempt.clientEnded(ClientEnd.RESET, Instant.now());
            return false;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(0);
            }
        }
    }

    /** Blocks until the gateway closes or resets the connection (or the upstream stops), recording which. */
    void watchClient() {
        try {
            while (hold(Duration.ofHours(1))) {
                // still open: keep watching
            }
        } catch (IOException stopped) {
            // FaultUpstream.stop() closed the socket: the gateway never ended it.
        }
    }

    /** Records that the gateway ended the connection while the upstream was reading or writing. */
    void gatewayEnded(ClientEnd how) {
        attempt.clientEnded(how, Instant.now());
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        } finally {
            closed.countDown();
        }
    }

    /** Holds the connection without reading a byte until the upstream resets or stops. */
    void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
