package dev.switchboard.limit;

import java.util.concurrent.TimeUnit;

/**
 * One caller's requests-per-minute limit as a token bucket of {@code perMinute} tokens refilling evenly over a minute,
 * kept as a single timestamp (the generic cell rate algorithm, ITU-T I.371): the bucket is full again once
 * {@code theoreticalArrival} is not in the future. Not thread-safe: the owner serialises calls. Times are
 * {@link System#nanoTime()}-style readings, compared only by difference.
 */
final class RequestRate {
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long intervalNanos;
    private final long burstNanos;
    private long theoreticalArrival;

    RequestRate(int perMinute, long nowNanos) {
        this.intervalNanos = MINUTE_NANOS / perMinute;
        this.burstNanos = intervalNanos * perMinute;
        this.theoreticalArrival = nowNanos;
    }

    /**
     * Takes one token at {@code nowNanos} and returns 0, or, when the bucket is empty, takes nothing and returns the
     * nanoseconds until a token will be there.
     */
    long tryTake(long nowNanos) {
        long from = theoreticalArrival - nowNanos > 0 ? theoreticalArrival : nowNanos;
        long next = from + intervalNanos;
        long wait = next - nowNanos - burstNanos;
        if (wait > 0) {
            return wait;
        }
        theoreticalArrival = next;
        return 0;
    }

    /** True when every token is back: forgetting this bucket then loses nothing. */
    boolean isFull(long nowNanos) {
        return theoreticalArrival - nowNanos <= 0;
    }
}
