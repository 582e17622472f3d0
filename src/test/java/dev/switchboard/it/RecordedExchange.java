package dev.switchboard.it;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request the {@link FakeUpstream} received (per-request object): what arrived, what was written back, and how
 * the exchange ended. Written by the upstream's exchange thread, read by tests from any thread.
 */
public final class RecordedExchange {

    /** How an exchange ended, seen from the fake upstream. */
    public enum Ending {
        /** The scripted response was written completely and the response was finished normally. */
        COMPLETED,
        /** Writing to the client failed: the peer (the gateway) closed or reset the connection. */
        CLIENT_GONE,
        /** The script closed the connection on purpose ({@link Reply#abort()}): FIN without a finished response. */
        ABORTED,
        /** {@link FakeUpstream#stop()} ended the exchange while it was still running. */
        STOPPED,
        /** A scripted wait ran past its limit: a latch the test never released, or a stream that never ended. */
        SCRIPT_TIMEOUT,
        /** The script itself threw: a bug in the test. {@link FakeUpstream} fails the test after it. */
        FAILED
    }

    private final int index;
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Instant receivedAt;
    private final InetSocketAddress remoteAddress;
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicInteger writes = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean scripted = true;
    private volatile Ending ending;
    private volatile Instant endedAt;
    private volatile Throwable cause;

    RecordedExchange(int index, String method, String path, String query, Map<String, List<String>> headers,
            byte[] body, Instant receivedAt, InetSocketAddress remoteAddress) {
        this.index = index;
        this.method = method;
        this.path = path;
        this.query = query;
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = body.clone();
        this.receivedAt = receivedAt;
        this.remoteAddress = remoteAddress;
    }

    /** 0-based position among the requests since the last {@link FakeUpstream#reset()}. */
    public int index() {
        return index;
    }

    public String method() {
        return method;
    }

    /** The raw (still percent-encoded) path, without the query. */
    public String path() {
        return path;
    }

    /** The raw query, or {@code null} when the request had none. */
    public String query() {
        return query;
    }

    /**
     * Every request header with its values in the order received. Names are case-insensitive keys (the JDK server
     * normalises their spelling, which HTTP allows); values are exactly as received.
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** All values of one header (case-insensitive name), empty when absent. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The first value of one header (case-insensitive name). */
    public Optional<String> header(String name) {
        return headerValues(name).stream().findFirst();
    }

    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    /** The gateway's side of the connection: the same port on two requests means a reused connection. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** False when no reply was scripted for this request and the upstream answered its default 500. */
    public boolean scripted() {
        return scripted;
    }

    /** Response body bytes handed to the connection so far (the status line and headers not counted). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Flushed body writes so far: one per SSE event or raw write step. */
    public int writes() {
        return writes.get();
    }

    public Optional<Ending> ending() {
        return Optional.ofNullable(ending);
    }

    /** When the exchange ended, or {@code null} while it runs. */
    public Instant endedAt() {
        return endedAt;
    }

    /** The exception behind CLIENT_GONE, SCRIPT_TIMEOUT or FAILED. */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    /** Waits for the exchange to end and returns how; fails the test at the deadline. */
    public Ending awaitEnd(Duration timeout) {
        Await.latch("end of upstream exchange " + this, ended, timeout);
        return ending;
    }

    public Ending awaitEnd() {
        return awaitEnd(Await.DEFAULT);
    }

    void unscripted() {
        scripted = false;
    }

    void wrote(int bytes) {
        bytesWritten.addAndGet(bytes);
        writes.incrementAndGet();
    }

    /** Records the first ending only: later calls (e.g. cleanup after an abort) do not overwrite it. */
    synchronized void end(Ending how, Throwable why) {
        if (ending != null) {
            return;
        }
        cause = why;
        endedAt = Instant.now();
        ending = how;
        ended.countDown();
    }

    @Override
    public String toString() {
        return "#" + index + " " + method + " " + path + (query == null ? "" : "?" + query)
                + (ending == null ? " (running)" : " (" + ending + ")");
    }
}
