package dev.switchboard.upstream;

/**
 * Per-attempt: what the request's owner (the retry loop in managed mode, the relay in pass-through mode) hears from
 * one {@link UpstreamExchange}. Called on the upstream I/O thread, the shared timer or a container thread, never
 * concurrently for one exchange; must not block.
 *
 * <p>The split is the commit point of RELIABILITY.md: before it the owner decides what the client sees (another
 * attempt, a relayed upstream error, a gateway error); after it the exchange alone writes to the client, and a
 * failure is reported in-band by the exchange.
 */
public interface AttemptListener {

    /** The exchange is about to hand its first bytes to the client: no retry from here on. At most once. */
    void committed();

    /**
     * The attempt failed and nothing of it reached the client. At most once, never after {@link #committed()}; the
     * exchange has already stopped the upstream. The owner must finish the client response or start another attempt.
     */
    void failedBeforeCommit(AttemptFailure failure);
}
