package dev.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthFailureThrottleTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Just below the overflow of a nanoTime-style clock, so windows cross it. */
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 10 * SECOND);

    private AuthFailureThrottle throttle(int maxFailures, int maxAddresses) {
        return new AuthFailureThrottle(maxFailures, 60_000, maxAddresses, now::get);
    }

    @Test
    void blockedAfterTheNthFailureUntilTheWindowEnds() {
        AuthFailureThrottle throttle = throttle(3, 100);
        throttle.failed("10.0.0.1");
        now.addAndGet(10 * SECOND);
        throttle.failed("10.0.0.1");
        assertEquals(0, throttle.blockedNanos("10.0.0.1"), "two failures are not yet three");

        now.addAndGet(10 * SECOND);
        throttle.failed("10.0.0.1");
        assertEquals(40 * SECOND, throttle.blockedNanos("10.0.0.1"), "the window started at the first failure");

        now.addAndGet(40 * SECOND - 1);
        assertEquals(1, throttle.blockedNanos("10.0.0.1"));
        now.addAndGet(1);
        assertEquals(0, throttle.blockedNanos("10.0.0.1"));
    }

    @Test
    void aNewWindowStartsAfterTheOldOneExpired() {
        AuthFailureThrottle throttle = throttle(2, 100);
        throttle.failed("10.0.0.1");
        now.addAndGet(60 * SECOND);

        throttle.failed("10.0.0.1");
        assertEquals(0, throttle.blockedNanos("10.0.0.1"), "the first failure's window is over");
        throttle.failed("10.0.0.1");
        assertEquals(60 * SECOND, throttle.blockedNanos("10.0.0.1"));
    }

    @Test
    void otherAddressesAreNotAffected() {
        AuthFailureThrottle throttle = throttle(1, 100);
        throttle.failed("10.0.0.1");

        assertTrue(throttle.blockedNanos("10.0.0.1") > 0);
        assertEquals(0, throttle.blockedNanos("10.0.0.2"));
        assertEquals(0, throttle.blockedNanos("::1"));
    }

    @Test
    void trackedAddressesAreBoundedAndTheOldestIsForgottenFirst() {
        AuthFailureThrottle throttle = throttle(1, 3);
        for (int i = 1; i <= 3; i++) {
            throttle.failed("10.0.0." + i);
            now.addAndGet(SECOND);
        }
        throttle.failed("10.0.0.4");

        assertEquals(3, throttle.trackedAddresses());
        assertEquals(0, throttle.blockedNanos("10.0.0.1"), "the oldest was forgotten");
        for (int i = 2; i <= 4; i++) {
            assertTrue(throttle.blockedNanos("10.0.0." + i) > 0, "10.0.0." + i + " is still remembered");
        }
        for (int i = 0; i < 1_000; i++) {
            throttle.failed("192.168." + (i / 256) + "." + (i % 256));
        }
        assertEquals(3, throttle.trackedAddresses());
    }

    @Test
    void expiredWindowsAreDroppedWithoutWaitingForTheBound() {
        AuthFailureThrottle throttle = throttle(5, 100);
        throttle.failed("10.0.0.1");
        throttle.failed("10.0.0.2");
        now.addAndGet(61 * SECOND);

        throttle.failed("10.0.0.3");

        assertEquals(1, throttle.trackedAddresses());
    }
}
