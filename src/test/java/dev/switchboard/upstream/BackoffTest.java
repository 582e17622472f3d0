package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {
    private final Backoff defaults = Backoff.of(dev.switchboard.config.RetryConfig.DEFAULTS, () -> 0.999_999);

    @ParameterizedTest
    @CsvSource({"0, 200", "1, 400", "2, 800", "4, 3200", "5, 5000", "30, 5000", "62, 5000", "1000, 5000"})
    void ceilingDoublesUpToTheCap(int n, long millis) {
        assertEquals(Duration.ofMillis(millis), defaults.ceiling(n));
    }

    @Test
    void delayIsFullJitterOverZeroToTheCeilingInclusive() {
        assertEquals(Duration.ofMillis(200), defaults.delay(0));
        assertEquals(Duration.ofMillis(5000), defaults.delay(9));
        Backoff zero = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), () -> 0.0);
        assertEquals(Duration.ZERO, zero.delay(3));
        Backoff half = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), () -> 0.5);
        assertEquals(Duration.ofMillis(400), half.delay(2));
    }

    @Test
    void theDefaultRandomStaysInRange() {
        Backoff backoff = Backoff.of(dev.switchboard.config.RetryConfig.DEFAULTS);
        for (int i = 0; i < 1000; i++) {
            long millis = backoff.delay(1).toMillis();
            assertEquals(true, millis >= 0 && millis <= 400, "delay " + millis);
        }
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0));
        assertThrows(IllegalArgumentException.class, () -> defaults.ceiling(-1));
        assertThrows(IllegalStateException.class,
                () -> new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), () -> 1.0).delay(0));
    }
}
