package dev.switchboard.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link TokenPool#lease} found: a token, or why there is none. Immutable.
 *
 * @param status     which of the four answers this is
 * @param lease      the token for {@link Status#LEASED}; {@code null} otherwise
 * @param retryAfter for {@link Status#RATE_LIMITED}, the shortest remaining cooldown; {@code null} otherwise
 */
public record Pick(Status status, TokenLease lease, Duration retryAfter) {

    /** The pool's answer. */
    public enum Status {
        /** A token to use now (healthy, a probe, or the last resort of an ejected pool). */
        LEASED,
        /**
         * No token now, and at least one of those not excluded is only cooling down after a 429: the caller can be
         * told when to come back ({@link #retryAfter()}).
         */
        RATE_LIMITED,
        /** Every token not excluded was refused by the vendor (401/403/402/quota) and awaits re-validation. */
        DISABLED,
        /** Every token was excluded (already tried by this request), or the pool has none. */
        NONE_LEFT
    }

    public Pick {
        Objects.requireNonNull(status, "status");
        if ((lease != null) != (status == Status.LEASED) || (retryAfter != null) != (status == Status.RATE_LIMITED)) {
            throw new IllegalArgumentException("inconsistent pick: " + status);
        }
    }

    static Pick leased(TokenLease lease) {
        return new Pick(Status.LEASED, lease, null);
    }

    static Pick rateLimited(Duration retryAfter) {
        return new Pick(Status.RATE_LIMITED, null, retryAfter);
    }

    static Pick none(Status status) {
        return new Pick(status, null, null);
    }

    public boolean leased() {
        return status == Status.LEASED;
    }
}
