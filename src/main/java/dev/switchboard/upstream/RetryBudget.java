package dev.switchboard.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway-wide cap on retries in flight: at most max(minimum, ratio × active requests), after Envoy's retry
 * budget (RELIABILITY.md: "a global retry budget (≈ 20 % of active requests, minimum 3)"). When an upstream fails for
 * everyone, retries stop multiplying its load. Application-scoped, thread-safe, lock-free.
 *
 * <p>Every {@link #requestStarted()} is matched by exactly one {@link #requestFinished()}, and every successful
 * {@link #tryAcquireRetry()} by exactly one {@link #releaseRetry()}; {@link AttemptPlan} does both.
 */
public final class RetryBudget {
    private final double ratio;
    private final int minimum;
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final AtomicInteger retriesInFlight = new AtomicInteger();

    public RetryBudget(double ratio, int minimum) {
        if (ratio < 0 || minimum < 0) {
            throw new IllegalArgumentException("ratio and minimum must not be negative");
        }
        this.ratio = ratio;
        this.minimum = minimum;
    }

    /** 20 % of active requests, at least 3. */
    public static RetryBudget defaults() {
        return new RetryBudget(0.2, 3);
    }

    public void requestStarted() {
        activeRequests.incrementAndGet();
    }

    public void requestFinished() {
        if (activeRequests.decrementAndGet() < 0) {
            activeRequests.incrementAndGet();
            throw new IllegalStateException("requestFinished without requestStarted");
        }
    }

    /** Takes a permit for one retry if the budget allows it now; never blocks. */
    public boolean tryAcquireRetry() {
        while (true) {
            int inFlight = retriesInFlight.get();
            if (inFlight >= limit()) {
                return false;
            }
            if (retriesInFlight.compareAndSet(inFlight, inFlight + 1)) {
                return true;
            }
        }
    }

    public void releaseRetry() {
        if (retriesInFlight.decrementAndGet() < 0) {
            retriesInFlight.incrementAndGet();
            throw new IllegalStateException("releaseRetry without a permit");
        }
    }

    /** The current cap: max(minimum, ⌊ratio × active requests⌋). */
    public int limit() {
        return Math.max(minimum, (int) (ratio * activeRequests.get()));
    }

    public int activeRequests() {
        return activeRequests.get();
    }

    public int retriesInFlight() {
        return retriesInFlight.get();
    }
}
