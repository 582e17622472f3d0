package dev.switchboard.sse;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Per-request: the only object that writes an asynchronous response — a whole JSON body or an SSE stream — and the
 * only one that completes the {@link AsyncContext}, exactly once.
 *
 * <p>Threads: any thread may call the public methods (the upstream I/O thread, the container's thread in
 * {@link #onWritePossible()}, the shared timer); they are serialised on this object's monitor because the Servlet
 * API forbids concurrent use of one {@link ServletOutputStream}. Nothing here blocks: bytes that the client cannot
 * take yet wait in {@code pending}, and the upstream is told to pause through {@link Listener#onDrained()} being
 * withheld. If {@code pending} still grows past {@code maxBufferedBytes} (HTTP/1.1 flow control is soft, see
 * TOOLCHAIN.md) the stream is cut with an in-band {@code client_too_slow} error: bounded memory wins over one stalled
 * reader.
 */
public final class ClientStream implements WriteListener, AsyncListener {
    private static final Logger LOG = LogManager.getLogger(ClientStream.class);
    private static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    /** The in-band error that ends a stream cut for a client too slow to read it (RELIABILITY.md "After commit"). */
    private static final byte[] TOO_SLOW = ("data: {\"error\":{\"message\":\"The client read the stream too slowly;"
            + " it was cut.\",\"type\":\"server_error\",\"param\":null,\"code\":\"client_too_slow\"}}\n\n")
            .getBytes(StandardCharsets.UTF_8);

    /** What the producing side of the stream needs to hear. Called with this stream's monitor held: do not block. */
    public interface Listener {
        /** Everything queued reached the container and the client can take more; called zero or more times. */
        void onDrained();

        /** The client went away, the stream was cut, or it timed out; called at most once. Stop producing. */
        void onClosed(CloseReason reason);
    }

    /** Why a stream ended other than by {@link #endStream()} or {@link #respond}. */
    public enum CloseReason { CLIENT_GONE, CLIENT_TOO_SLOW, TIMED_OUT }

    private final AsyncContext asyncContext;
    private final HttpServletResponse clientResponse;
    private final ServletOutputStream output;
    private final int maxBufferedBytes;
    private final Runnable onCommit;
    /** The request's id (x-request-id), named in this class's log lines so they can be told apart under load. */
    private final String requestId;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private int pendingBytes;
    private Listener listener = NO_LISTENER;
    private boolean committed;
    private boolean needsFlush;
    private boolean ending;
    private boolean finished;
    private Runnable onFinished;
    private boolean abortOnFailure;
    private long lastWriteNanos = System.nanoTime();
    private ScheduledFuture<?> heartbeat;
    private long heartbeatNanos;
    /** When the stream was cut for a client too slow to read it; 0 while it was not. */
    private long cutNanos;
    /** The client's connection under watch while nothing is committed (see {@link #watchClient}); null otherwise. */
    private ClientProbe.Watch clientWatch;

    private static final Listener NO_LISTENER = new Listener() {
        @Override
        public void onDrained() {}

        @Override
        public void onClosed(CloseReason reason) {}
    };

    /**
     * Must be called on the container thread that started {@code asyncContext}.
     *
     * @param onCommit run once, when the status line is about to leave (time to first byte)
     * @param requestId named in log lines only
     */
    public ClientStream(AsyncContext asyncContext, int maxBufferedBytes, Runnable onCommit, String requestId)
            throws IOException {
        this.asyncContext = asyncContext;
        this.onCommit = onCommit;
        this.requestId = requestId;
        this.clientResponse = (HttpServletResponse) asyncContext.getResponse();
        this.output = clientResponse.getOutputStream();
        this.maxBufferedBytes = maxBufferedBytes;
        asyncContext.addListener(this);
        output.setWriteListener(this);
    }

    /**
     * Runs {@code hook} once, when this response has finished by any path (completed, cut, timed out, completed by the
     * container after an error), or at once if it already has. Called with this stream's monitor held: do not block.
     */
    public synchronized void whenFinished(Runnable hook) {
        if (finished) {
            hook.run();
        } else {
            onFinished = hook;
        }
    }

    public synchronized void setListener(Listener listener) {
        this.listener = listener == null ? NO_LISTENER : listener;
    }

    /**
     * Sets a response header while the response is not committed (the attempt headers of managed mode change with
     * every attempt); ignored afterwards. The value must be a safe header value: the caller builds it from config.
     */
    public synchronized void header(String name, String value) {
        if (!committed && !finished) {
            clientResponse.setHeader(name, value);
        }
    }

    /**
     * Pass-through mode: a {@link #fail} after commit aborts the connection (no terminating chunk) instead of writing
     * an in-band error, so the client sees the truncation as it would from the vendor itself (issue #4).
     */
    public synchronized void abortOnFailure() {
        abortOnFailure = true;
    }

    /**
     * Watches the client's connection until the response commits: before commit there is nothing to write whose
     * failure would show a client that left, and no container reports it ({@link ClientProbe}). A client found gone
     * closes the stream with {@link CloseReason#CLIENT_GONE}, as a failed write would after commit. Call on the
     * container thread, once the request body has been read.
     */
    public synchronized void watchClient(ClientProbe probe) {
        if (!committed && !finished && clientWatch == null) {
            clientWatch = probe.watch(asyncContext.getRequest(), this::clientLeftBeforeCommit);
        }
    }

    private synchronized void clientLeftBeforeCommit() {
        clientWatch = null;
        if (!committed && !finished) {
            LOG.debug("request_id={}: client closed its connection before the response started", requestId);
            close(CloseReason.CLIENT_GONE);
        }
    }

    private void stopWatchingClient() {
        if (clientWatch != null) {
            clientWatch.cancel();
            clientWatch = null;
        }
    }

    /** True once the status line is on its way to the client: no retry, no other status after this point. */
    public synchronized boolean isCommitted() {
        return committed;
    }

    public synchronized int pendingBytes() {
        return pendingBytes;
    }

    /** Writes a whole response and completes. Ignored once committed or finished (the caller lost a race). */
    public synchronized void respond(int status, String contentType, Map<String, String> headers, byte[] body) {
        if (committed || finished) {
            return;
        }
        markCommitted();
        clientResponse.setStatus(status);
        clientResponse.setContentType(contentType);
        clientResponse.setContentLength(body.length);
        headers.forEach(clientResponse::setHeader);
        enqueue(body);
        // Flushed here, on the thread that has the answer: left to complete(), the bytes would wait for the container
        // to hand the completion to one of its own threads, a thread wake-up later (0.15 ms at p50 here, BENCHMARKS.md).
        needsFlush = true;
        ending = true;
        drain();
    }

    /**
     * Queues one SSE event {@code data: <data>\n\n}; the first call commits a 200 {@code text/event-stream}. The data
     * must be a single line (OpenAI SDKs parse one JSON object per event).
     */
    public synchronized void event(String data) {
        if (finished || ending) {
            return;
        }
        commitStream();
        byte[] utf8 = data.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(DATA_PREFIX.length + utf8.length + EVENT_END.length);
        frame.put(DATA_PREFIX).put(utf8).put(EVENT_END).flip();
        enqueue(frame);
        needsFlush = true;
        drain();
        // Judged after the container took what it could: the bound is on what waits for a client that does not read,
        // and a single event larger than it (maxEventBytes allows MBs) must still reach a client that does.
        if (!finished && pendingBytes > maxBufferedBytes) {
            cutTooSlow();
        }
    }

    /**
     * The client reads slower than the upstream writes, past what one stream may hold: the producer stops, the events
     * not yet handed to the container are dropped, and one in-band error ends the stream. Completing at once instead
     * would end the response cleanly, which a client (and the OpenAI SDKs) takes for a whole answer: a silent
     * truncation. The error leaves when the client reads again; a client that has not read it after
     * {@link #giveUpNanos()} has its connection aborted by the heartbeat, so a stalled client holds its request (and
     * its in-flight slot) for seconds, not for the maximum stream duration.
     */
    private void cutTooSlow() {
        tellClosed(CloseReason.CLIENT_TOO_SLOW);
        if (finished) {
            return;
        }
        pending.clear();
        pendingBytes = 0;
        cutNanos = System.nanoTime();
        enqueue(TOO_SLOW);
        needsFlush = true;
        ending = true;
        drain();
    }

    /**
     * Reports a failure: before commit as the whole response with {@code status}; after commit as one in-band
     * {@code data:} error event followed by the end of the stream, with no {@code [DONE]} (RELIABILITY.md "After
     * commit"; SDK-CLIENT-REQUIREMENTS.md §1.6: both OpenAI SDKs raise on a data payload with an {@code error} key);
     * after commit in {@link #abortOnFailure()} mode, by aborting the connection instead.
     */
    public synchronized void fail(int status, Map<String, String> headers, byte[] errorJson) {
        if (!committed) {
            respond(status, "application/json", headers, errorJson);
            return;
        }
        if (abortOnFailure && !finished && ConnectionAbort.abort(asyncContext)) {
            complete(); // the container already knows the response is broken: this only releases the request
            return;
        }
        event(new String(errorJson, StandardCharsets.UTF_8));
        endStream();
    }

    /** Ends a committed stream once everything queued is written. */
    public synchronized void endStream() {
        if (finished || ending) {
            return;
        }
        commitStream();
        ending = true;
        drain();
    }

    /**
     * Sends an SSE comment every {@code periodMillis} while the stream is committed and otherwise silent, so a
     * client that left is found by the failed write even when the upstream says nothing (RELIABILITY.md).
     */
    public synchronized void startHeartbeat(ScheduledExecutorService timer, long periodMillis) {
        if (finished || heartbeat != null) {
            return;
        }
        heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        heartbeat = timer.scheduleWithFixedDelay(this::beat, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void beat() {
        if (cutNanos != 0 && !finished && System.nanoTime() - cutNanos >= giveUpNanos()) {
            // Cut for being too slow and still not reading its last event: stop holding the request for it.
            LOG.debug("request_id={}: client never read the end of a cut stream; aborting its connection", requestId);
            ConnectionAbort.abort(asyncContext);
            complete();
            return;
        }
        if (finished || ending || !committed || !pending.isEmpty()) {
            return;
        }
        if (System.nanoTime() - lastWriteNanos >= heartbeatNanos) {
            enqueue(ByteBuffer.wrap(KEEPALIVE));
            needsFlush = true;
            drain();
        }
    }

    /** Ten heartbeats, at least 5 s: a client that merely paused gets time to read its last event. */
    private long giveUpNanos() {
        return Math.max(10 * heartbeatNanos, TimeUnit.SECONDS.toNanos(5));
    }

    @Override
    public synchronized void onWritePossible() {
        drain();
    }

    @Override
    public synchronized void onError(Throwable failure) {
        LOG.debug("request_id={}: client write failed: {}", requestId, failure.toString());
        close(CloseReason.CLIENT_GONE);
    }

    @Override
    public synchronized void onComplete(AsyncEvent event) {
        finished = true;
        released();
    }

    @Override
    public synchronized void onTimeout(AsyncEvent event) {
        close(CloseReason.TIMED_OUT);
    }

    /**
     * The container's report of a broken connection, on its own thread. Unless a listener completes (or dispatches)
     * here, the container runs the error page (the Servlet spec's "error dispatch", SRV.2.3.3.3). That holds even
     * when this stream has already finished: Tomcat 10.1 puts a completed request back in its error state when the
     * failed write is reported, and refuses a {@code complete()} from a non-container thread (the upstream's, which
     * found the write failing) once an earlier listener's {@code onError} has returned. Without a second
     * {@code complete()} here Tomcat ran the WAR's error page into the committed response, two SEVERE stack traces
     * per client that left mid-stream (SoakIT).
     */
    @Override
    public synchronized void onError(AsyncEvent event) {
        LOG.debug("request_id={}: the container reported an error: {}", requestId,
                String.valueOf(event.getThrowable()));
        if (!finished) {
            close(CloseReason.CLIENT_GONE);
            return;
        }
        try {
            asyncContext.complete();
        } catch (IllegalStateException e) {
            // Jetty and Undertow: already complete, as it should be; nothing is left to end.
            LOG.debug("request_id={}: async context already completed: {}", requestId, e.toString());
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}

    private void commitStream() {
        if (committed) {
            return;
        }
        markCommitted();
        clientResponse.setStatus(200);
        clientResponse.setContentType("text/event-stream");
        clientResponse.setCharacterEncoding("UTF-8");
        clientResponse.setHeader("Cache-Control", "no-cache");
        // Reverse proxies such as nginx buffer responses unless told not to; an SSE stream must not be held back.
        clientResponse.setHeader("X-Accel-Buffering", "no");
    }

    private void markCommitted() {
        committed = true;
        stopWatchingClient(); // from here on a failed write, or the heartbeat's, is the sign
        onCommit.run();
    }

    private void enqueue(byte[] bytes) {
        enqueue(ByteBuffer.wrap(bytes));
    }

    private void enqueue(ByteBuffer bytes) {
        pending.add(bytes);
        pendingBytes += bytes.remaining();
    }

    private void drain() {
        if (finished) {
            return;
        }
        try {
            ByteBuffer head;
            while ((head = pending.peek()) != null) {
                if (!output.isReady()) {
                    return; // the container calls onWritePossible() when it can take more
                }
                int length = head.remaining();
                output.write(head.array(), head.arrayOffset() + head.position(), length);
                pending.poll();
                pendingBytes -= length;
                lastWriteNanos = System.nanoTime();
            }
            if (needsFlush) {
                if (!output.isReady()) {
                    return;
                }
                needsFlush = false;
                output.flush();
            }
            if (!output.isReady()) {
                return;
            }
            if (ending) {
                complete();
            } else {
                listener.onDrained();
            }
        } catch (IOException | IllegalStateException | NullPointerException e) {
            // A failed write or flush is how a vanished client shows itself on every container. The
            // NullPointerException is Tomcat's: after a client reset it can recycle the request while this (non-
            // container) thread writes, and the recycled processor has no socket any more (processorCache="0",
            // server-configs/tomcat/README.md, keeps it from being another request's).
            LOG.debug("request_id={}: client write failed: {}", requestId, e.toString());
            close(CloseReason.CLIENT_GONE);
        }
    }

    private void close(CloseReason reason) {
        if (finished) {
            return;
        }
        // The listener hears first so that, on a timeout, it can still queue a last error event; whatever it
        // writes to a client that is gone fails quietly and lands here again, where the listener is no longer set.
        tellClosed(reason);
        complete();
    }

    /** The producer hears of the end once: the listener is dropped before it is told. */
    private void tellClosed(CloseReason reason) {
        Listener told = listener;
        listener = NO_LISTENER;
        told.onClosed(reason);
    }

    private void complete() {
        if (finished) {
            return;
        }
        finished = true;
        pending.clear();
        pendingBytes = 0;
        try {
            asyncContext.complete();
        } catch (IllegalStateException e) {
            // The container already completed or recycled the request after an error; nothing left to release.
            LOG.debug("request_id={}: async context already completed: {}", requestId, e.toString());
        } finally {
            released();
        }
    }

    /**
     * What a finished response lets go of, whichever way it finished ({@link #complete()} or the container's
     * {@link #onComplete}); safe to run twice.
     */
    private void released() {
        cancelHeartbeat();
        stopWatchingClient();
        Runnable hook = onFinished;
        onFinished = null;
        if (hook != null) {
            hook.run();
        }
    }

    private void cancelHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }
}
