package dev.switchboard.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link FaultUpstream} does with one connection after reading its request: a well-formed answer, or a
 * misbehaviour at the socket level. Runs on the connection's own thread and may block. Built by the factories here;
 * after it returns, the upstream ends its side with FIN (unless the fault closed the socket) and records how the
 * gateway ends its own.
 */
@FunctionalInterface
public interface Fault {

    void play(FaultConnection connection) throws IOException;

    /** A complete response with {@code Content-Length}; add headers and a body with the builder. */
    static Response status(int status) {
        return new Response(status);
    }

    /** 3xx with a {@code Location}, which the gateway must never follow. */
    static Response redirect(int status, String location) {
        return new Response(status).header("Location", location).body("text/html", "<a href=\"" + location + "\">");
    }

    /** Waits {@code delay} before playing {@code then}; gives up quietly when the gateway leaves meanwhile. */
    static Fault delayed(Duration delay, Fault then) {
        return connection -> {
            if (connection.hold(delay)) {
                then.play(connection);
            }
        };
    }

    /** Never answers: holds the connection until the gateway closes it (or the upstream stops). */
    static Fault stall() {
        return connection -> connection.hold(Duration.ofHours(1));
    }

    /** Reads the request, then FIN without a byte of response: EOF before headers. */
    static Fault closeBeforeHeaders() {
        return FaultConnection::fin;
    }

    /** Reads the request, then RST without a byte of response. */
    static Fault resetBeforeHeaders() {
        return FaultConnection::reset;
    }

    /** A 200 SSE stream, chunked like real vendors' streams; add events and choose its end with the builder. */
    static Sse sse() {
        return new Sse();
    }

    /** A fixed response. */
    final class Response implements Fault {
        private final int status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body = new byte[0];
        private long fillerBytes = -1;

        Response(int status) {
            this.status = status;
        }

        public Response header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Response body(String contentType, String text) {
            headers.put("Content-Type", contentType);
            body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Response json(String json) {
            return body("application/json", json);
        }

        public Response html(String html) {
            return body("text/html; charset=utf-8", html);
        }

        /** A body of {@code size} bytes of {@code x}, written 64 KiB at a time (an oversized response). */
        public Response oversized(String contentType, long size) {
            headers.put("Content-Type", contentType);
            fillerBytes = size;
            return this;
        }

        @Override
        public void play(FaultConnection connection) throws IOException {
            long length = fillerBytes >= 0 ? fillerBytes : body.length;
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                    .append("\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("Content-Length: ").append(length).append("\r\nConnection: close\r\n\r\n");
            connection.write(head.toString());
            if (fillerBytes < 0) {
                connection.write(body);
                return;
            }
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) 'x');
            for (long left = fillerBytes; left > 0; left -= block.length) {
                connection.write(left >= block.length ? block : Arrays.copyOf(block, (int) left));
            }
        }
    }

    /** A 200 {@code text/event-stream}: its steps, then how it ends. */
    final class Sse implements Fault {
        private enum End { DONE, FIN, RESET, STALL }

        private final List<Fault> steps = new ArrayList<>();
        private String lineEnding = "\n";
        private End end = End.DONE;

        /** {@code "\n"} (default), {@code "\r"} or {@code "\r\n"}: SSE allows all three (WHATWG HTML §9.2.5). */
        public Sse lineEnding(String ending) {
            lineEnding = ending;
            return this;
        }

        /** {@code data: <json>} and a blank line, in one write. */
        public Sse event(String data) {
            return raw(() -> "data: " + data + lineEnding + lineEnding);
        }

        /** {@code event: <name>} and {@code data: <json>}, as Anthropic sends. */
        public Sse event(String name, String data) {
            return raw(() -> "event: " + name + lineEnding + "data: " + data + lineEnding + lineEnding);
        }

        /** One event written in two TCP writes, split {@code at} characters into its data: a frame cut mid-JSON. */
        public Sse splitEvent(String data, int at) {
            String[] frame = new String[1];
            raw(() -> {
                frame[0] = "data: " + data + lineEnding + lineEnding;
                return frame[0].substring(0, 6 + at);
            });
            pause(Duration.ofMillis(50)); // lets the first half reach the gateway on its own
            return raw(() -> frame[0].substring(6 + at));
        }

        /** Bytes exactly as given, in one write (line endings are the caller's). */
        public Sse raw(String text) {
            return raw(() -> text);
        }

        /** A pause between writes that ends early if the gateway leaves. */
        public Sse pause(Duration duration) {
            steps.add(connection -> {
                if (!connection.hold(duration)) {
                    throw new GatewayLeft();
                }
            });
            return this;
        }

        /** Ends with {@code data: [DONE]} and the last chunk (the default). */
        public Sse done() {
            end = End.DONE;
            return this;
        }

        /** Ends with FIN and no terminal event nor last chunk: a truncated stream. */
        public Sse thenFin() {
            end = End.FIN;
            return this;
        }

        /** Ends with RST (SO_LINGER 0) after the events. */
        public Sse thenReset() {
            end = End.RESET;
            return this;
        }

        /** Sends the events, then nothing more until the gateway gives up. */
        public Sse thenStall() {
            end = End.STALL;
            return this;
        }

        private Sse raw(java.util.function.Supplier<String> text) {
            steps.add(connection -> connection.chunk(text.get().getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        @Override
        public void play(FaultConnection connection) throws IOException {
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                    + "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            try {
                for (Fault step : steps) {
                    step.play(connection);
                }
            } catch (GatewayLeft left) {
                return;
            }
            switch (end) {
                case DONE -> {
                    connection.chunk(("data: [DONE]" + lineEnding + lineEnding).getBytes(StandardCharsets.UTF_8));
                    connection.endChunks();
                }
                case FIN -> connection.fin();
                case RESET -> connection.reset();
                case STALL -> connection.hold(Duration.ofHours(1));
            }
        }
    }

    /** A pause saw the gateway close: the rest of the script is skipped. */
    final class GatewayLeft extends IOException {
        GatewayLeft() {
            super("the gateway closed the connection", null);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status";
        };
    }
}
