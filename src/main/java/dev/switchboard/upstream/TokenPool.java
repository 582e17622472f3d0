package dev.switchboard.upstream;

import dev.switchboard.config.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A platform's managed vendor tokens with their health (RELIABILITY.md, "Managed mode"); application-scoped and
 * thread-safe (every method holds the pool's lock briefly and never blocks or does I/O). Memory is fixed by the
 * number of tokens. All timing comes from the injected {@link Clock}.
 *
 * <p>Each token is in one of four states:
 * <ul>
 *   <li>{@code HEALTHY} — handed out round-robin.
 *   <li>{@code COOLING} — after a 429, skipped until its cooldown ends, then healthy again: a rate limit says when it
 *       ends, so a timer is enough.
 *   <li>{@code EJECTED} — after {@code ejectAfterFailures} consecutive failures (connect, reset, timeout, 5xx,
 *       invalid response). After {@code ejectMs} exactly one request is let through as a probe: success re-admits,
 *       failure ejects again for twice as long (up to {@code ejectMaxMs}). Ejected tokens come back through a probe,
 *       not a timer alone.
 *   <li>{@code DISABLED} — refused by the vendor (401/403/402/quota). After {@code disabledMs} one request probes it
 *       (re-validation); until then it is never handed out.
 * </ul>
 *
 * <p>A pool is never ejected as a whole: when no token is available and none is cooling, the least recently failed
 * ejected token is handed out ({@link TokenLease#lastResort()}). When the only usable tokens are cooling,
 * {@link #lease} answers {@link Pick.Status#RATE_LIMITED} with the shortest remaining cooldown instead, so the caller
 * can answer 429 with a truthful {@code Retry-After}.
 */
public final class TokenPool {
    private static final Logger LOG = LogManager.getLogger(TokenPool.class);


    /** A token's health state; see the class comment. */
    public enum State { HEALTHY, COOLING, EJECTED, DISABLED }

    /** One token's health at a moment, for tests and status pages; never the token itself. */
    public record TokenHealth(String alias, State state, Duration remaining, int consecutiveFailures,
            boolean probing) {}

    private final String platform;
    private final RetryConfig retry;
    private final Clock clock;
    private final List<Token> tokens;
    private int next;

    /**
     * @param platform the platform key, the first part of every alias
     * @param tokens   the vendor tokens in configuration order; an empty pool answers every lease with
     *                 {@link Pick.Status#NONE_LEFT} (the local {@code mock} type has none)
     */
    public TokenPool(String platform, List<String> tokens, RetryConfig retry, Clock clock) {
        this.platform = platform;
        this.retry = retry;
        this.clock = clock;
        List<Token> list = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            list.add(new Token(tokens.get(i), platform + "#" + (i + 1)));
        }
        this.tokens = List.copyOf(list);
    }

    public String platform() {
        return platform;
    }

    /** The platform's retry settings, which the {@link AttemptPlan} applies. */
    public RetryConfig retry() {
        return retry;
    }

    public int size() {
        return tokens.size();
    }

    /**
     * The token for the next attempt, skipping the aliases this request already tried. Healthy tokens (and tokens due
     * for a probe) come round-robin.
     */
    public synchronized Pick lease(Set<String> excludedAliases) {
        long now = clock.millis();
        int size = tokens.size();
        for (int i = 0; i < size; i++) {
            int index = Math.floorMod(next + i, size);
            Token token = tokens.get(index);
            if (excludedAliases.contains(token.alias) || !token.availableAt(now)) {
                continue;
            }
            next = index + 1;
            if (token.state == State.COOLING) {
                token.set(State.HEALTHY, 0);
            }
            boolean probe = token.state == State.EJECTED || token.state == State.DISABLED;
            if (probe) {
                token.probing = true;
                token.version++;
            }
            return Pick.leased(new TokenLease(this, index, token.version, token.secret, token.alias, probe, false));
        }
        return unavailable(excludedAliases, now);
    }

    /** Why no token is available now; the last resort of an ejected pool. */
    private Pick unavailable(Set<String> excludedAliases, long now) {
        long shortestCooldown = Long.MAX_VALUE;
        Token leastRecentlyFailed = null;
        boolean anyCandidate = false;
        for (Token token : tokens) {
            if (excludedAliases.contains(token.alias)) {
                continue;
            }
            anyCandidate = true;
            if (token.state == State.COOLING) {
                shortestCooldown = Math.min(shortestCooldown, token.until - now);
            } else if (token.state == State.EJECTED
                    && (leastRecentlyFailed == null || token.lastFailureAt < leastRecentlyFailed.lastFailureAt)) {
                leastRecentlyFailed = token;
            }
        }
        if (!anyCandidate) {
            return Pick.none(Pick.Status.NONE_LEFT);
        }
        if (shortestCooldown != Long.MAX_VALUE) {
            return Pick.rateLimited(Duration.ofMillis(shortestCooldown));
        }
        if (leastRecentlyFailed != null) {
            Token token = leastRecentlyFailed;
            return Pick.leased(new TokenLease(this, tokens.indexOf(token), token.version, token.secret, token.alias,
                    false, true));
        }
        return Pick.none(Pick.Status.DISABLED);
    }

    /**
     * The attempt with this lease got a usable response. Re-admits a probed or last-resort token; a verdict reached
     * by other requests since this lease was taken (a newer 429, 401 or ejection) is kept.
     */
    public synchronized void succeeded(TokenLease lease) {
        Token token = own(lease);
        if (lease.probe()) {
            token.probing = false;
        }
        if (lease.probe() || lease.version == token.version) {
            token.consecutiveFailures = 0;
            token.ejections = 0;
            if (token.state != State.COOLING || token.until <= clock.millis()) {
                token.set(State.HEALTHY, 0);
            }
        }
    }

    /** The attempt with this lease failed; applies the failure's {@link FailureKind.TokenEffect}. */
    public synchronized void failed(TokenLease lease, Failure failure) {
        Token token = own(lease);
        long now = clock.millis();
        if (lease.probe()) {
            token.probing = false;
        }
        switch (failure.kind().tokenEffect()) {
            case NONE -> {
                // No verdict; a released probe lets the next request probe instead.
            }
            case COOLDOWN -> {
                // The vendor answered and knew the key: whatever the token was benched for, it now only waits.
                long until = now + failure.cooldown().toMillis();
                token.set(State.COOLING, token.state == State.COOLING ? Math.max(token.until, until) : until);
            }
            case DISABLE -> {
                token.lastFailureAt = now;
                token.set(State.DISABLED, now + retry.disabledMs());
            }
            case COUNTS_TOWARD_EJECTION -> countFailure(token, lease, now);
        }
    }

    private void countFailure(Token token, TokenLease lease, long now) {
        token.lastFailureAt = now;
        token.consecutiveFailures++;
        if (token.state == State.EJECTED && lease.probe()) {
            token.ejections++;
            token.set(State.EJECTED, now + ejectionMillis(token.ejections));
        } else if ((token.state == State.HEALTHY || token.state == State.COOLING)
                && token.consecutiveFailures >= retry.ejectAfterFailures()) {
            token.ejections = 1;
            token.set(State.EJECTED, now + ejectionMillis(1));
        }
        // A disabled token's probe that hit a transient failure says nothing about its credentials: still disabled,
        // and already due, so the next request probes again.
    }

    /** ejectMs · 2^(n-1), capped at ejectMaxMs. */
    private long ejectionMillis(int ejections) {
        long millis = retry.ejectMs();
        for (int i = 1; i < ejections && millis < retry.ejectMaxMs(); i++) {
            millis *= 2;
        }
        return Math.min(millis, retry.ejectMaxMs());
    }

    /**
     * The lease will not be used after all (the request ended or gave up before the attempt started): no verdict on
     * the token, and a probe slot is freed for the next request.
     */
    public synchronized void release(TokenLease lease) {
        Token token = own(lease);
        if (lease.probe()) {
            token.probing = false;
        }
    }

    /** The shortest time until a cooling token is usable again; empty when none is cooling. */
    public synchronized Optional<Duration> shortestCooldown() {
        long now = clock.millis();
        return tokens.stream().filter(token -> token.state == State.COOLING && token.until > now)
                .map(token -> Duration.ofMillis(token.until - now)).min(Duration::compareTo);
    }

    /** Every token's health now, in configuration order. */
    public synchronized List<TokenHealth> health() {
        long now = clock.millis();
        return tokens.stream().map(token -> {
            State state = token.state == State.COOLING && token.until <= now ? State.HEALTHY : token.state;
            return new TokenHealth(token.alias, state, Duration.ofMillis(Math.max(0, token.until - now)),
                    token.consecutiveFailures, token.probing);
        }).toList();
    }

    private Token own(TokenLease lease) {
        if (lease.pool != this) {
            throw new IllegalArgumentException("lease " + lease + " belongs to another pool");
        }
        return tokens.get(lease.index);
    }

    /** One token's mutable health; guarded by the pool's lock. */
    private static final class Token {
        final String secret;
        final String alias;
        State state = State.HEALTHY;
        /** Epoch millis: when a cooldown ends, or when an ejected or disabled token may be probed. */
        long until;
        long lastFailureAt = Long.MIN_VALUE;
        int consecutiveFailures;
        int ejections;
        boolean probing;
        /** Bumped on every state change, so a success reported on an older lease cannot undo a newer verdict. */
        long version;

        Token(String secret, String alias) {
            this.secret = secret;
            this.alias = alias;
        }

        boolean availableAt(long now) {
            return switch (state) {
                case HEALTHY -> true;
                case COOLING -> now >= until;
                case EJECTED, DISABLED -> now >= until && !probing;
            };
        }

        void set(State newState, long newUntil) {
            if (newState != state && newState != State.COOLING) {
                // Operators need to see a token leave or rejoin the pool; the alias names it, never the secret.
                // Cooldowns are routine under load and would flood the log.
                LOG.info("token {} {}{}", alias, newState.name().toLowerCase(Locale.ROOT),
                        newState == State.HEALTHY ? "" : " until the next probe");
            }
            state = newState;
            until = newUntil;
            version++;
        }
    }
}
