package dev.switchboard.upstream;

import dev.switchboard.config.RetryConfig;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Reads how long an upstream asks to be left alone: {@code retry-after-ms} (OpenAI's SDKs read it first), then
 * {@code Retry-After} as delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Stateless, thread-safe.
 */
final class RetryAfter {
    /** RFC 9110 allows digits only; a fraction is tolerated because some upstreams send one. */
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,30}(\\.[0-9]{1,9})?");

    /** Anything above this is clamped anyway; keeps Duration arithmetic far from overflow. */
    private static final BigDecimal LIMIT_MILLIS = BigDecimal.valueOf(Duration.ofDays(1).toMillis());

    private RetryAfter() {}

    /**
     * The upstream's hint, or {@code null} when it gave none that can be trusted: absent, not a number (Double
     * parsing would take "NaN", "-5", "1e1" or hex floats), or an HTTP-date that is already past (the clocks disagree,
     * so the delta is unknowable).
     */
    static Duration hint(String retryAfter, String retryAfterMs, Clock clock) {
        Duration millis = number(retryAfterMs, 1);
        if (millis != null) {
            return millis;
        }
        Duration seconds = number(retryAfter, 1000);
        if (seconds != null) {
            return seconds;
        }
        return date(retryAfter, clock);
    }

    /** The cooldown to apply: the hint clamped to [min, max], or the default when there is no hint. */
    static Duration cooldown(Duration hint, RetryConfig retry) {
        if (hint == null) {
            return Duration.ofMillis(retry.cooldownDefaultMs());
        }
        long millis = Math.max(retry.cooldownMinMs(), Math.min(retry.cooldownMaxMs(), hint.toMillis()));
        return Duration.ofMillis(millis);
    }

    /** Whole seconds for a {@code Retry-After} header, rounded up so a caller never comes back too early. */
    static String headerValue(Duration delay) {
        long millis = Math.max(0, delay.toMillis());
        return Long.toString(Math.max(1, (millis + 999) / 1000));
    }

    private static Duration number(String value, int millisPerUnit) {
        if (value == null || !NUMBER.matcher(value.trim()).matches()) {
            return null;
        }
        BigDecimal millis = new BigDecimal(value.trim()).multiply(BigDecimal.valueOf(millisPerUnit)).min(LIMIT_MILLIS);
        // Round up: 0.2 s is not "retry now".
        return Duration.ofMillis(millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    }

    /** IMF-fixdate, the form RFC 9110 says senders use; the obsolete RFC 850 and asctime forms are not read. */
    private static Duration date(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration delta = Duration.between(clock.instant(), at.toInstant());
            return delta.isNegative() || delta.isZero() ? null : delta;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
