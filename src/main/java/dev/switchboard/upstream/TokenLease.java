package dev.switchboard.upstream;

/**
 * One token handed out by a {@link TokenPool} for one upstream attempt (per-attempt object, immutable). Report its
 * outcome exactly once through {@link TokenPool#succeeded} or {@link TokenPool#failed}: a probe lease that is never
 * reported keeps its token out of rotation.
 *
 * <p>{@link #toString()} shows only the alias: leases end up in log lines, tokens must not.
 */
public final class TokenLease {
    final TokenPool pool;
    final int index;
    final long version;
    private final String token;
    private final String alias;
    private final boolean probe;
    private final boolean lastResort;

    TokenLease(TokenPool pool, int index, long version, String token, String alias, boolean probe,
            boolean lastResort) {
        this.pool = pool;
        this.index = index;
        this.version = version;
        this.token = token;
        this.alias = alias;
        this.probe = probe;
        this.lastResort = lastResort;
    }

    /** The vendor credential: goes into the upstream request and nowhere else. */
    public String token() {
        return token;
    }

    /** {@code <platform>#<n>} (1-based, config order): what logs and response headers may show. */
    public String alias() {
        return alias;
    }

    /** Whether this attempt re-validates an ejected or disabled token: its outcome decides the token's return. */
    public boolean probe() {
        return probe;
    }

    /**
     * Whether every token was ejected and this is the least recently failed one, handed out because a pool is never
     * ejected as a whole (RELIABILITY.md, "Bounds").
     */
    public boolean lastResort() {
        return lastResort;
    }

    @Override
    public String toString() {
        return alias + (probe ? " (probe)" : lastResort ? " (last resort)" : "");
    }
}
