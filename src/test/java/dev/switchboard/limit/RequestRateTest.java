package dev.switchboard.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestRateTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Close to overflow, as System.nanoTime() may be: every comparison must survive the wrap. */
    private static final long START = Long.MAX_VALUE - 30 * SECOND;

    @Test
    void aFullBucketAllowsItsWholeMinuteAtOnceThenRefuses() {
        RequestRate rate = new RequestRate(3, START);

        assertEquals(0, rate.tryTake(START));
        assertEquals(0, rate.tryTake(START));
        assertEquals(0, rate.tryTake(START));
        assertEquals(20 * SECOND, rate.tryTake(START), "one token comes back every 60 s / 3");
        assertFalse(rate.isFull(START));
    }

    @Test
    void refusalsTakeNothing() {
        RequestRate rate = new RequestRate(1, START);
        assertEquals(0, rate.tryTake(START));

        for (int i = 0; i < 5; i++) {
            assertEquals(60 * SECOND, rate.tryTake(START));
        }
        assertEquals(SECOND, rate.tryTake(START + 59 * SECOND));
        assertEquals(0, rate.tryTake(START + 60 * SECOND));
    }

    @Test
    void tokensComeBackEvenlyAcrossTheOverflowOfTheClock() {
        RequestRate rate = new RequestRate(60, START);
        for (int i = 0; i < 60; i++) {
            assertEquals(0, rate.tryTake(START));
        }
        assertEquals(SECOND, rate.tryTake(START));

        long later = START + 45 * SECOND; // past Long.MAX_VALUE: negative, as nanoTime would be
        assertTrue(later < START);
        for (int i = 0; i < 45; i++) {
            assertEquals(0, rate.tryTake(later), "token " + i + " of the 45 refilled in 45 s");
        }
        assertEquals(SECOND, rate.tryTake(later));
    }

    @Test
    void aQuietBucketFillsUpToItsSizeAndNoFurther() {
        RequestRate rate = new RequestRate(2, START);
        assertEquals(0, rate.tryTake(START));
        assertFalse(rate.isFull(START));
        assertTrue(rate.isFull(START + 30 * SECOND));

        long muchLater = START + 3600 * SECOND;
        assertEquals(0, rate.tryTake(muchLater));
        assertEquals(0, rate.tryTake(muchLater));
        assertEquals(30 * SECOND, rate.tryTake(muchLater), "an hour of quiet still buys only the bucket's size");
    }
}
