package dev.switchboard.it;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in tests without sleeping: block on a latch, or poll a condition until it holds, both with a deadline
 * that fails the test (an {@link AssertionError}) instead of hanging it.
 */
public final class Await {
    /** Long enough for a slow CI machine, short enough that a broken test fails within the run. */
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Await() {}

    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, DEFAULT);
    }

    /** Polls {@code condition} every few milliseconds until it is true; fails naming {@code what} at the deadline. */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        value(what, () -> condition.getAsBoolean() ? Boolean.TRUE : null, timeout);
    }

    /** Polls {@code supplier} until it returns non-null and returns that value. */
    public static <T> T value(String what, Supplier<T> supplier, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = supplier.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    public static void latch(String what, CountDownLatch latch) {
        latch(what, latch, DEFAULT);
    }

    /** Waits for {@code latch} to reach zero; fails naming {@code what} at the deadline. */
    public static void latch(String what, CountDownLatch latch, Duration timeout) {
        try {
            if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what
                        + " (latch still at " + latch.getCount() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for: " + what, e);
        }
    }
}
