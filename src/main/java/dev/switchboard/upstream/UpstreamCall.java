package dev.switchboard.upstream;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOSession;

/**
 * Per-exchange: the handles that stop one upstream call — its first-byte timer, HttpClient's future and the
 * connection it runs on — so an abandoned {@link UpstreamExchange} stops the upstream's work at once.
 *
 * <p>The connection is closed by hand because {@code Future.cancel()} alone leaves a reused pooled connection open
 * (see {@link ConnectionTracker}). It is closed only while this call still holds it: once {@link #released} has run
 * the connection may be back in the pool under another exchange, so it is never closed from here again.
 *
 * <p>Thread-safe: {@link #onConnection} and {@link #released} run on the I/O thread, {@link #cancel} on whichever
 * thread abandons the exchange (I/O thread, shared timer, container thread).
 */
final class UpstreamCall {
    private volatile Future<Void> future;
    private volatile ScheduledFuture<?> firstByteTimer;
    /** The upstream connection while this call holds it; guarded by {@code this}. */
    private IOSession connection;
    private boolean connectionReleased;

    /** Once, before the request is handed to HttpClient. */
    void firstByteTimer(ScheduledFuture<?> timer) {
        firstByteTimer = timer;
    }

    /** Once, with what {@link UpstreamClient#execute} returned; {@link #onConnection} may already have run. */
    void started(Future<Void> call) {
        future = call;
    }

    /** Zero or more times, on the I/O thread, with the connection the exchange is running on. */
    synchronized void onConnection(IOSession session) {
        if (session != null && !connectionReleased) {
            connection = session;
        }
    }

    /** Before the connection goes back to the pool, so it is never closed under another exchange. */
    synchronized void released() {
        connectionReleased = true;
        connection = null;
    }

    void cancelFirstByteTimer() {
        ScheduledFuture<?> timer = firstByteTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** Stops the upstream: the timer, the HttpClient exchange, and the connection unless it was already released. */
    void cancel() {
        cancelFirstByteTimer();
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
