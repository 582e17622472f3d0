package dev.switchboard.upstream;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOSession;

/**
 * Per-exchange: the handles that stop one upstream call — its first-byte timer, HttpClient's future and the
 * connection it runs on — so an abandoned {@link UpstreamExchange} stops the upstream's work at once.
 *
 * <p>HTTP/1.1: the connection is closed by hand because {@code Future.cancel()} alone leaves a reused pooled
 * connection open (see {@link ConnectionTracker}). It is closed only while this call still holds it: once
 * {@link #released} has run the connection may be back in the pool under another exchange, so it is never closed from
 * here again.
 *
 * <p>HTTP/2 ({@link #multiplexed}): the connection carries other exchanges' streams and is never closed from here;
 * cancelling the future resets this exchange's stream alone (RST_STREAM), and an idle watch stands in for the socket
 * timeout, which on a shared connection would end every stream (see {@link UpstreamClient}).
 *
 * <p>Thread-safe: {@link #onConnection} and {@link #released} run on the I/O thread, {@link #cancel} on whichever
 * thread abandons the exchange (I/O thread, shared timer, container thread).
 */
final class UpstreamCall {
    private volatile Future<Void> future;
    private volatile ScheduledFuture<?> firstByteTimer;
    private volatile IdleWatch idleWatch;
    /** Set once, before the request is handed to HttpClient; from then on no connection is ever recorded. */
    private volatile boolean multiplexed;
    /** HTTP/2: this exchange's own stream, once httpcore has handed it to the consumer; cancelling it resets it. */
    private volatile Cancellable stream;
    /** The upstream connection while this call holds it; guarded by {@code this}. */
    private IOSession connection;
    private boolean connectionReleased;

    /** Once, before the request is handed to HttpClient. */
    void firstByteTimer(ScheduledFuture<?> timer) {
        firstByteTimer = timer;
    }

    /** Once, before the request is handed over, for an exchange that is a stream on a shared HTTP/2 connection. */
    void multiplexed(IdleWatch watch) {
        multiplexed = true;
        idleWatch = watch;
    }

    /** The idle watch of a multiplexed exchange, or {@code null}. */
    IdleWatch idleWatch() {
        return idleWatch;
    }

    /**
     * HTTP/2, zero or more times on the I/O thread: the stream channel httpcore handed to the consumer as its
     * capacity channel. Needed because cancelling the future alone only flags the stream in httpcore 5.4.4
     * ({@code H2Stream.abort}); the RST_STREAM goes out when the stream's next frame arrives, and a stream stalled by
     * flow control (its client stopped reading) never gets one.
     */
    void stream(CapacityChannel channel) {
        if (multiplexed && channel instanceof Cancellable cancellable) {
            stream = cancellable;
        }
    }

    /** Once, with what {@link UpstreamClient#execute} returned; {@link #onConnection} may already have run. */
    void started(Future<Void> call) {
        future = call;
    }

    /** Zero or more times, on the I/O thread, with the connection the exchange is running on. */
    synchronized void onConnection(IOSession session) {
        if (session != null && !connectionReleased && !multiplexed) {
            connection = session;
        }
    }

    /** Before the connection goes back to the pool, so it is never closed under another exchange. */
    synchronized void released() {
        connectionReleased = true;
        connection = null;
        stream = null; // the response is complete: its stream is closed and must not be reset
        stopIdleWatch();
    }

    void stopIdleWatch() {
        IdleWatch watch = idleWatch;
        if (watch != null) {
            watch.stop();
        }
    }

    void cancelFirstByteTimer() {
        ScheduledFuture<?> timer = firstByteTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /**
     * Stops the upstream: the timers, the HttpClient exchange, and (HTTP/1.1) the connection unless it was already
     * released.
     */
    void cancel() {
        cancelFirstByteTimer();
        stopIdleWatch();
        Cancellable ownStream = stream;
        if (ownStream != null) {
            ownStream.cancel(); // RST_STREAM now, under the connection's lock; the siblings go on
        }
        Future<Void> call = future;
        if (call != null) {
            call.cancel(true);
        }
        synchronized (this) {
            if (connection != null && !connectionReleased) {
                connection.close(CloseMode.IMMEDIATE);
            }
            connection = null;
        }
    }
}
