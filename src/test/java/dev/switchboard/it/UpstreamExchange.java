package dev.switchboard.it;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link FakeUpstream.Behaviour} gets for one request (per-request object, used only by that request's
 * thread): the recorded request and blocking primitives to answer it. The primitives end the exchange by throwing
 * signals that {@link FakeUpstream} turns into the recorded {@link RecordedExchange.Ending}; behaviours let them
 * propagate. Every primitive notices a client that closed the connection (CLIENT_GONE): writes when they fail or
 * before they start, waits within {@value #PROBE_MILLIS} ms.
 */
public final class UpstreamExchange {
    /** How often a waiting exchange checks whether its client is still connected. */
    static final long PROBE_MILLIS = 10;

    private final HttpExchange http;
    private final RecordedExchange recorded;
    private final CountDownLatch serverStopped;
    private final ConnectionProbe connection;
    private OutputStream body;

    UpstreamExchange(HttpExchange http, RecordedExchange recorded, CountDownLatch serverStopped) {
        this.http = http;
        this.recorded = recorded;
        this.serverStopped = serverStopped;
        this.connection = ConnectionProbe.of(http);
    }

    public RecordedExchange request() {
        return recorded;
    }

    public boolean headersSent() {
        return body != null;
    }

    /**
     * Sends the status line and headers. {@code length}: -1 no body, 0 chunked (streaming), n a fixed Content-Length.
     */
    public void sendHeaders(int status, Map<String, List<String>> headers, long length) {
        if (body != null) {
            throw new IllegalStateException("headers already sent");
        }
        checkClientConnected();
        headers.forEach((name, values) -> http.getResponseHeaders().put(name, List.copyOf(values)));
        try {
            http.sendResponseHeaders(status, length);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        body = http.getResponseBody();
    }

    /** Writes and flushes one piece of the body, so the client can see it now. */
    public void write(byte[] bytes) {
        if (body == null) {
            throw new IllegalStateException("send the headers first");
        }
        if (serverStopped.getCount() == 0) {
            throw new Stopped();
        }
        checkClientConnected();
        try {
            body.write(bytes);
            body.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        recorded.wrote(bytes.length);
    }

    /** Blocks until the test releases {@code latch}; SCRIPT_TIMEOUT after {@code limit}. */
    public void await(CountDownLatch latch, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (!latch.await(slice(deadline), TimeUnit.NANOSECONDS)) {
                checkClientConnected();
                if (System.nanoTime() - deadline >= 0) {
                    throw new ScriptTimeout("latch not released within " + limit);
                }
            }
        } catch (InterruptedException e) {
            throw new Stopped();
        }
    }

    /** Waits {@code duration}, or less if the server stops or the client leaves meanwhile. */
    public void pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            while (System.nanoTime() - deadline < 0) {
                if (serverStopped.await(slice(deadline), TimeUnit.NANOSECONDS)) {
                    throw new Stopped();
                }
                checkClientConnected();
            }
        } catch (InterruptedException e) {
            throw new Stopped();
        }
    }

    /** Ends the exchange as CLIENT_GONE if the client has closed the connection. */
    public void checkClientConnected() {
        if (connection.clientClosed()) {
            throw new ClientGone(new IOException("the client closed the connection"));
        }
    }

    private static long slice(long deadline) {
        return Math.max(0, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS)));
    }

    /** Closes the TCP connection now, leaving the response unfinished (or not even started). */
    public void abort() {
        throw new Abort();
    }

    /** Finishes the response normally (the terminating chunk for a chunked body). */
    void finish() {
        if (body == null) {
            sendHeaders(200, Map.of(), -1);
        }
        try {
            body.close();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    /** A write failed: the client went away. */
    static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone(IOException cause) {
            super(cause.toString(), cause);
        }
    }

    /** Thrown out of the JDK server's handler on purpose: its only way to close a connection mid-response. */
    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort() {
            super("scripted abort", null, false, false);
        }
    }

    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("fake upstream stopped", null, false, false);
        }
    }

    static final class ScriptTimeout extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ScriptTimeout(String message) {
            super(message);
        }
    }
}
