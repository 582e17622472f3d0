package dev.switchboard.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;

/**
 * A scripted response for {@link FakeUpstream}: status, headers, then steps run in order on the exchange's thread.
 *
 * <pre>{@code
 * upstream.enqueue(Reply.status(429).header("Retry-After", "1").json("{\"error\":{}}"));
 * upstream.enqueue(Reply.sse()
 *         .event("{\"id\":1}")          // written and flushed: the gateway can forward it now
 *         .countDown(firstSent)          // tell the test event 1 is out
 *         .await(release)                // hold event 2 until the test releases the latch
 *         .event("{\"id\":2}")
 *         .done());                      // data: [DONE]
 * upstream.enqueue(Reply.sse().forever(i -> "{\"n\":" + i + "}", Duration.ofMillis(5)));  // until the client leaves
 * }</pre>
 *
 * The status line and headers go out with the first body step ({@link #body}, {@link #write}, {@link #event}, ...)
 * or {@link #sendHeaders()}, so steps before that delay the headers themselves (first-byte timeouts). {@link #body}
 * gives a fixed Content-Length; the streaming steps a chunked body; the two do not mix. A Reply holds no per-request
 * state and may answer any number of requests (e.g. through {@link FakeUpstream#always}).
 */
public final class Reply implements FakeUpstream.Behaviour {
    /** How long a scripted {@link #await} or {@link #forever} may last before the exchange ends as SCRIPT_TIMEOUT. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(60);

    @FunctionalInterface
    private interface Step {
        void run(UpstreamExchange exchange, Reply reply) throws Exception;
    }

    private enum BodyMode { NONE, FIXED, CHUNKED }

    private final int status;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private BodyMode mode = BodyMode.NONE;
    private boolean ended;

    private Reply(int status) {
        this.status = status;
    }

    public static Reply status(int status) {
        return new Reply(status);
    }

    /** 200 {@code text/event-stream} with {@code Cache-Control: no-cache}, as OpenAI streams. */
    public static Reply sse() {
        return status(200).header("Content-Type", "text/event-stream; charset=utf-8").header("Cache-Control", "no-cache");
    }

    /** Adds a header value (repeat the call for several values of one name). */
    public Reply header(String name, String value) {
        headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        return this;
    }

    /** A fixed-length body (Content-Length), sent with the headers. */
    public Reply body(byte[] bytes) {
        byte[] copy = bytes.clone();
        mode(BodyMode.FIXED);
        return step((exchange, reply) -> {
            exchange.sendHeaders(reply.status, reply.headers, copy.length == 0 ? -1 : copy.length);
            if (copy.length > 0) {
                exchange.write(copy);
            }
        });
    }

    public Reply body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A fixed-length {@code application/json} body. */
    public Reply json(String json) {
        return header("Content-Type", "application/json").body(json);
    }

    /** Sends the status line and headers now (chunked body), e.g. to stall after them. */
    public Reply sendHeaders() {
        mode(BodyMode.CHUNKED);
        return step((exchange, reply) -> reply.ensureChunkedHeaders(exchange));
    }

    /** Writes and flushes raw body bytes as one chunk: anything, including malformed SSE or split frames. */
    public Reply write(byte[] bytes) {
        byte[] copy = bytes.clone();
        mode(BodyMode.CHUNKED);
        return step((exchange, reply) -> {
            reply.ensureChunkedHeaders(exchange);
            exchange.write(copy);
        });
    }

    public Reply write(String raw) {
        return write(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** One SSE event {@code data: ...\n\n} (a multi-line payload becomes several data lines), flushed. */
    public Reply event(String data) {
        return write(sseEvent(null, data));
    }

    /** One named SSE event {@code event: name\ndata: ...\n\n}, flushed. */
    public Reply event(String name, String data) {
        return write(sseEvent(name, data));
    }

    /** An SSE comment line {@code : text\n\n} (a heartbeat). */
    public Reply comment(String text) {
        return write(": " + text + "\n\n");
    }

    /** OpenAI's terminal event {@code data: [DONE]}. */
    public Reply done() {
        return event("[DONE]");
    }

    /** Blocks until the test releases {@code latch} (at most {@link #DEFAULT_LIMIT}). */
    public Reply await(CountDownLatch latch) {
        return await(latch, DEFAULT_LIMIT);
    }

    public Reply await(CountDownLatch latch, Duration limit) {
        return step((exchange, reply) -> exchange.await(latch, limit));
    }

    /** Counts {@code latch} down: tells the test that every step before this one has happened. */
    public Reply countDown(CountDownLatch latch) {
        return step((exchange, reply) -> latch.countDown());
    }

    /** A scripted pause, e.g. between events, to exercise idle timeouts. */
    public Reply delay(Duration duration) {
        return step((exchange, reply) -> exchange.pause(duration));
    }

    /** Any action, e.g. recording when this point was reached. */
    public Reply run(Runnable action) {
        return step((exchange, reply) -> action.run());
    }

    /**
     * Sends SSE events {@code data(0), data(1), ...} every {@code interval} (zero: back to back) until the client goes
     * away (CLIENT_GONE) or the server stops; SCRIPT_TIMEOUT after {@link #DEFAULT_LIMIT}. Ends the script.
     */
    public Reply forever(IntFunction<String> data, Duration interval) {
        mode(BodyMode.CHUNKED);
        step((exchange, reply) -> {
            reply.ensureChunkedHeaders(exchange);
            long deadline = System.nanoTime() + DEFAULT_LIMIT.toNanos();
            for (int i = 0; System.nanoTime() - deadline < 0; i++) {
                exchange.write(sseEvent(null, data.apply(i)));
                if (!interval.isZero()) {
                    exchange.pause(interval);
                }
            }
            throw new UpstreamExchange.ScriptTimeout("client still reading after " + DEFAULT_LIMIT);
        });
        ended = true;
        return this;
    }

    /**
     * Closes the connection here without finishing the response: after events, a FIN with no terminal event and no
     * final chunk; before any body step, no response at all. Ends the script.
     */
    public Reply abort() {
        step((exchange, reply) -> exchange.abort());
        ended = true;
        return this;
    }

    @Override
    public void respond(UpstreamExchange exchange) throws Exception {
        for (Step step : steps) {
            step.run(exchange, this);
        }
        if (!exchange.headersSent()) {
            exchange.sendHeaders(status, headers, mode == BodyMode.CHUNKED ? 0 : -1);
        }
    }

    /** The wire form of one SSE event; {@code name} may be null. */
    public static byte[] sseEvent(String name, String data) {
        StringBuilder event = new StringBuilder();
        if (name != null) {
            event.append("event: ").append(name).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private void ensureChunkedHeaders(UpstreamExchange exchange) {
        if (!exchange.headersSent()) {
            exchange.sendHeaders(status, headers, 0);
        }
    }

    private void mode(BodyMode wanted) {
        if (mode != BodyMode.NONE && mode != wanted) {
            throw new IllegalStateException("a reply has either a fixed body or streaming steps, not both");
        }
        if (wanted == BodyMode.FIXED && mode == BodyMode.FIXED) {
            throw new IllegalStateException("body(...) given twice");
        }
        mode = wanted;
    }

    private Reply step(Step step) {
        if (ended) {
            throw new IllegalStateException("nothing can follow abort() or forever(...)");
        }
        steps.add(step);
        return this;
    }
}
