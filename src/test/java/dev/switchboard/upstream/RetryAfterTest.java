package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.config.RetryConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {
    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2015-10-21T07:28:00Z"));

    @ParameterizedTest
    @CsvSource({
        "7, 7000",
        "' 12 ', 12000",
        "0.2, 200",
        "2.5, 2500",
        "0, 0",
        "100000000000000000000000000000, 86400000",
    })
    void deltaSeconds(String header, long millis) {
        assertEquals(Duration.ofMillis(millis), RetryAfter.hint(header, null, clock));
    }

    @Test
    void httpDateIsMeasuredFromTheClock() {
        assertEquals(Duration.ofSeconds(42), RetryAfter.hint("Wed, 21 Oct 2015 07:28:42 GMT", null, clock));
    }

    @Test
    void httpDateInThePastIsNoHint() {
        assertNull(RetryAfter.hint("Wed, 21 Oct 2015 07:27:00 GMT", null, clock));
        assertNull(RetryAfter.hint("Wed, 21 Oct 2015 07:28:00 GMT", null, clock));
    }

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        assertEquals(Duration.ofMillis(1500), RetryAfter.hint("30", "1500", clock));
        assertEquals(Duration.ofMillis(2), RetryAfter.hint(null, "1.2", clock));
        assertEquals(Duration.ofSeconds(30), RetryAfter.hint("30", "soon", clock));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "NaN", "Infinity", "-5", "10d", "0x1p3", "1e1", "5 s",
            "Wed, 32 Oct 2015 07:28:00 GMT"})
    void garbageIsNoHint(String header) {
        assertNull(RetryAfter.hint(header, header, clock));
    }

    @Test
    void cooldownIsClampedOrDefaulted() {
        RetryConfig retry = RetryConfig.DEFAULTS;
        assertEquals(Duration.ofSeconds(5), RetryAfter.cooldown(null, retry));
        assertEquals(Duration.ofSeconds(1), RetryAfter.cooldown(Duration.ofMillis(200), retry));
        assertEquals(Duration.ofSeconds(1), RetryAfter.cooldown(Duration.ZERO, retry));
        assertEquals(Duration.ofSeconds(17), RetryAfter.cooldown(Duration.ofSeconds(17), retry));
        assertEquals(Duration.ofSeconds(60), RetryAfter.cooldown(Duration.ofHours(3), retry));
        RetryConfig custom = new RetryConfig(null, null, null, null, 500L, 2_000L, 1_000L, null, null, null, null);
        assertEquals(Duration.ofMillis(500), RetryAfter.cooldown(Duration.ofMillis(1), custom));
        assertEquals(Duration.ofMillis(1_000), RetryAfter.cooldown(null, custom));
        assertEquals(Duration.ofMillis(2_000), RetryAfter.cooldown(Duration.ofSeconds(9), custom));
    }

    @ParameterizedTest
    @CsvSource({"0, 1", "1, 1", "999, 1", "1000, 1", "1001, 2", "59500, 60"})
    void headerValueRoundsUpToWholeSeconds(long millis, String expected) {
        assertEquals(expected, RetryAfter.headerValue(Duration.ofMillis(millis)));
    }
}
