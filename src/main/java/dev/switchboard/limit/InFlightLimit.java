package dev.switchboard.limit;

import dev.switchboard.openai.ApiError;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application-scoped, thread-safe: the number of API requests in flight, all callers together, capped at
 * {@code limits.maxInFlight}. A slot is taken at admission and given back when the response has completed.
 */
public final class InFlightLimit {
    public static final String ATTRIBUTE = InFlightLimit.class.getName();

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    public InFlightLimit(int max) {
        this.max = max;
    }

    /** Takes a slot unless all {@code max} are taken; never overshoots, even for a moment. */
    public boolean tryAcquire() {
        int current;
        do {
            current = inFlight.get();
            if (current >= max) {
                return false;
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        return true;
    }

    /** Gives back one slot taken by {@link #tryAcquire()}; the caller guarantees once per slot ({@link Admission}). */
    public void release() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * 503 with {@code Retry-After: 1}: load shed at the door clears within moments as streams end, and the OpenAI SDKs
     * retry a 503 after the Retry-After they are given.
     */
    static ApiError overloaded() {
        return new ApiError(503, ApiError.SERVER_ERROR, "gateway_overloaded", null,
                "The gateway is handling too many requests right now; retry shortly.", Map.of("Retry-After", "1"));
    }
}
