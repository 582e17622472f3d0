package dev.switchboard.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One connection the {@link FaultUpstream} accepted (per-attempt object) and the request read from it, if any: what
 * arrived, and how and when the gateway ended the connection. Written by the connection's thread, read by tests from
 * any thread.
 */
public final class FaultAttempt {

    /** How the gateway's side of the connection ended, seen from the fake upstream. */
    public enum ClientEnd {
        /** The gateway closed its side normally (read returned end of stream). */
        FIN,
        /** The gateway reset the connection (RST), or it broke while the fake upstream was writing. */
        RESET
    }

    private final int index;
    private final Instant acceptedAt;
    private final int remotePort;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile String method;
    private volatile String target;
    private volatile Map<String, List<String>> headers = Map.of();
    private volatile byte[] body;
    private volatile Instant arrivedAt;
    private volatile ClientEnd clientEnd;
    private volatile Instant clientEndedAt;
    private volatile Throwable scriptFailure;

    FaultAttempt(int index, Instant acceptedAt, int remotePort) {
        this.index = index;
        this.acceptedAt = acceptedAt;
        this.remotePort = remotePort;
    }

    void request(String method, String target, Map<String, List<String>> headers, byte[] body, Instant arrivedAt) {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = body;
        this.method = method;
        this.target = target;
        this.arrivedAt = arrivedAt;
    }

    /** Records the first ending only. */
    synchronized void clientEnded(ClientEnd end, Instant at) {
        if (clientEnd == null) {
            clientEnd = end;
            clientEndedAt = at;
            ended.countDown();
        }
    }

    void scriptFailed(Throwable failure) {
        scriptFailure = failure;
    }

    /** 0-based position among the connections since the last {@link FaultUpstream#reset()}. */
    public int index() {
        return index;
    }

    public Instant acceptedAt() {
        return acceptedAt;
    }

    /** The gateway's port: the same port on two attempts means a reused connection. */
    public int remotePort() {
        return remotePort;
    }

    /** Whether a complete request was read (false for connection-level faults that never read). */
    public boolean hasRequest() {
        return arrivedAt != null;
    }

    public String method() {
        return method;
    }

    /** The request target as sent: path and query, still percent-encoded. */
    public String target() {
        return target;
    }

    /** The path part of {@link #target()}. */
    public String path() {
        int query = target == null ? -1 : target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** Every header as received, names case-insensitive, values in arrival order. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * The vendor credential the gateway sent: {@code Authorization: Bearer}, {@code x-api-key},
     * {@code x-goog-api-key} or {@code api-key}; {@code null} when none.
     */
    public String token() {
        Optional<String> bearer = header("Authorization").filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7));
        if (bearer.isPresent()) {
            return bearer.get().substring(7).trim();
        }
        for (String name : List.of("x-api-key", "x-goog-api-key", "api-key")) {
            Optional<String> value = header(name);
            if (value.isPresent()) {
                return value.get().trim();
            }
        }
        return null;
    }

    public byte[] body() {
        return body == null ? new byte[0] : body.clone();
    }

    public String bodyText() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /** When the request was completely read, or {@code null}. */
    public Instant arrivedAt() {
        return arrivedAt;
    }

    /** How the gateway ended the connection; empty while it is still open. */
    public Optional<ClientEnd> clientEnd() {
        return Optional.ofNullable(clientEnd);
    }

    /** When the gateway ended the connection, or {@code null} while it is still open. */
    public Instant clientEndedAt() {
        return clientEndedAt;
    }

    /** Waits until the gateway ends the connection; fails the test at the deadline. */
    public ClientEnd awaitClientEnd(Duration timeout) {
        try {
            if (!ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("the gateway did not close connection #" + index + " within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return clientEnd;
    }

    public ClientEnd awaitClientEnd() {
        return awaitClientEnd(Await.DEFAULT);
    }

    /** A script that threw something other than a connection failure: a broken test. */
    public Optional<Throwable> scriptFailure() {
        return Optional.ofNullable(scriptFailure);
    }

    @Override
    public String toString() {
        return "#" + index + " " + (method == null ? "(no request)" : method + " " + target) + " client end "
                + (clientEnd == null ? "open" : clientEnd);
    }
}
