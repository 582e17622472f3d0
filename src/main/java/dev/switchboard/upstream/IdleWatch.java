package dev.switchboard.upstream;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-exchange: notices an upstream HTTP/2 stream that has said nothing for the platform's idle timeout.
 *
 * <p>Over HTTP/1.1 the connection's socket timeout does this; an HTTP/2 connection is shared, and its socket timeout
 * would end every stream on it (see {@link UpstreamClient}), so each stream is watched on its own. Cheap per stream:
 * {@link #touch} is one volatile write, and the one pending timer task is re-armed only when it comes due, for the
 * silence still missing, rather than on every read.
 *
 * <p>Thread-safe: {@link #touch} runs on the I/O thread, the check on the shared timer, {@link #stop} on any thread.
 * {@code onIdle} runs at most once, on the timer, and not at all once {@link #stop} has run.
 */
final class IdleWatch implements Runnable {
    private final ScheduledExecutorService timer;
    private final long idleNanos;
    private final Runnable onIdle;
    private final LongSupplier nanoTime;
    private volatile long lastActivity;
    /** Guarded by {@code this}. */
    private boolean stopped;
    private ScheduledFuture<?> pending;

    IdleWatch(ScheduledExecutorService timer, long idleMs, Runnable onIdle) {
        this(timer, idleMs, onIdle, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock in nanoseconds (tests step their own) */
    IdleWatch(ScheduledExecutorService timer, long idleMs, Runnable onIdle, LongSupplier nanoTime) {
        this.timer = timer;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMs);
        this.onIdle = onIdle;
        this.nanoTime = nanoTime;
    }

    /** Once, when the request is handed over: silence counts from here. */
    void start() {
        lastActivity = nanoTime.getAsLong();
        schedule(idleNanos);
    }

    /** The upstream said something (response headers or body bytes). */
    void touch() {
        lastActivity = nanoTime.getAsLong();
    }

    /** The exchange is over; idempotent. */
    synchronized void stop() {
        stopped = true;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    @Override
    public void run() {
        long quiet = nanoTime.getAsLong() - lastActivity;
        if (quiet < idleNanos) {
            schedule(idleNanos - quiet);
            return;
        }
        synchronized (this) {
            if (stopped) {
                return;
            }
            stop();
        }
        onIdle.run();
    }

    private synchronized void schedule(long delayNanos) {
        if (stopped) {
            return;
        }
        if (pending != null) {
            pending.cancel(false); // normally the task running now; a no-op then
        }
        try {
            pending = timer.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The gateway is being undeployed; its upstream client closes every exchange anyway.
            stopped = true;
        }
    }
}
