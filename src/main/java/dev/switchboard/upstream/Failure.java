package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import java.time.Duration;
import java.util.Objects;

/**
 * One failed upstream attempt, classified: what happened, what the caller is told if no attempt succeeds, and for a
 * 429 how long the token should rest. Immutable.
 *
 * @param kind        the row of RELIABILITY.md's managed-mode table
 * @param clientError the OpenAI-shaped error for the caller if this is the last attempt; {@code null} only for
 *                    {@link FailureKind#CLIENT_GONE} (nobody to tell)
 * @param cooldown    the clamped Retry-After for {@link FailureKind#RATE_LIMITED}; {@code null} for every other kind
 */
public record Failure(FailureKind kind, ApiError clientError, Duration cooldown) {

    public Failure {
        Objects.requireNonNull(kind, "kind");
        if (clientError == null && kind != FailureKind.CLIENT_GONE) {
            throw new IllegalArgumentException("a " + kind + " failure needs a client error");
        }
        if ((cooldown != null) != (kind == FailureKind.RATE_LIMITED)) {
            throw new IllegalArgumentException("a cooldown goes with RATE_LIMITED and nothing else, not " + kind);
        }
    }

    public static Failure of(FailureKind kind, ApiError clientError) {
        return new Failure(kind, clientError, null);
    }
}
