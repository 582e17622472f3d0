package dev.switchboard.upstream;

import dev.switchboard.config.RetryConfig;
import dev.switchboard.openai.ApiError;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * Per-request: decides the managed-mode attempts before commit (RELIABILITY.md, "Managed mode" and "Bounds") — which
 * platform and token to try next, after what delay, or which error to give the caller. Pure logic: it never waits,
 * schedules or does I/O; the caller runs each {@link Attempt} after its {@link Attempt#delay()} and reports back.
 *
 * <p>Rules, in order of a failure's report:
 * <ol>
 *   <li>The failure goes to the token's pool ({@link TokenPool#failed}); the token is not tried again by this request
 *       while another is left.
 *   <li>{@link FailureKind#CLIENT_GONE}: stop, tell nobody. Kinds that do not {@link FailureKind#failsOver() fail
 *       over} (4xx, pool exhausted, …): stop with the failure's error.
 *   <li>TLS errors and redirects condemn the platform's endpoint: only a later platform may be tried.
 *   <li>A token's own failure (429, quota, 401/403) moves on at once, not counted against {@code maxRetries}: rotation
 *       through a pool of dead or cooling keys is bounded only by the pool size and the deadline. Every other failure
 *       counts; an invalid response is retried once.
 *   <li>The next token is one this request has not tried, on the same platform first, then on the later platforms of
 *       the list. After a failure that is not the token's fault, a token already tried may be tried again when no
 *       fresh one is left anywhere (a platform with one token still gets its retries).
 *   <li>Backoff (full jitter) applies when the failure kind asks for it and the next attempt stays on the same
 *       platform; another platform is another endpoint and is tried at once.
 *   <li>Every attempt after the first needs a {@link RetryBudget} permit, held until the attempt is reported; every
 *       attempt must start before the deadline ({@code deadlineMs} of the first platform, from {@link #first()}).
 * </ol>
 * When no attempt is left, the caller gets 429 with {@code Retry-After} = the shortest remaining cooldown if the last
 * failure (or the reason no token was found) was a token's own and some token of the list is cooling; otherwise the
 * last failure's error ({@code upstream_credentials_exhausted} when no token was usable from the start).
 *
 * <p>Thread-safe (synchronized) so a late callback cannot race {@link #close()}, but calls are meant to come in
 * sequence: {@code first}, then one {@code failed} or {@code succeeded} per attempt, then {@code close}.
 */
public final class AttemptPlan implements AutoCloseable {

    /**
     * One attempt to run.
     *
     * @param number 1 for the first attempt
     * @param target index into the pool list the plan was made with
     * @param lease  the token; its alias is what logs and headers show
     * @param delay  how long to wait before starting it (zero unless backing off)
     */
    public record Attempt(int number, int target, TokenLease lease, Duration delay) {}

    /**
     * The plan's answer: an attempt to run, or the end. At the end {@code clientError} is what to send, or
     * {@code null} when the caller is gone.
     */
    public record Step(Attempt attempt, ApiError clientError) {
        public boolean proceed() {
            return attempt != null;
        }
    }

    private final List<TokenPool> pools;
    private final RetryBudget budget;
    private final Clock clock;
    private final RetryConfig retry;
    private final Backoff backoff;
    private final List<Set<String>> tried = new ArrayList<>();
    private final List<Set<String>> blamed = new ArrayList<>();
    private final boolean[] condemned;
    private long deadline;
    private Attempt current;
    private Failure lastFailure;
    private boolean started;
    private boolean finished;
    private boolean holdingPermit;
    private int attempts;
    private int countedRetries;
    private int backoffs;
    private int invalidResponses;

    /**
     * @param pools  the platforms to try, in order: one, or a router's candidates for the model; the first platform's
     *               {@code retry} settings bound the whole request (retries, deadline, backoff)
     * @param random values in [0, 1) for the backoff jitter
     */
    public AttemptPlan(List<TokenPool> pools, RetryBudget budget, Clock clock, DoubleSupplier random) {
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("no platform to try");
        }
        this.pools = List.copyOf(pools);
        this.budget = budget;
        this.clock = clock;
        this.retry = pools.get(0).retry();
        this.backoff = Backoff.of(retry, random);
        this.condemned = new boolean[pools.size()];
        for (int i = 0; i < pools.size(); i++) {
            tried.add(new HashSet<>());
            blamed.add(new HashSet<>());
        }
    }

    /** The first attempt, or the error when no platform has a usable token. Starts the deadline. */
    public synchronized Step first() {
        if (started || finished) {
            throw new IllegalStateException("first() called twice or after close()");
        }
        started = true;
        budget.requestStarted();
        deadline = clock.millis() + retry.deadlineMs();
        return next(0, false, null);
    }

    /** The current attempt failed before commit; returns what to do next. */
    public synchronized Step failed(Attempt attempt, Failure failure) {
        requireCurrent(attempt);
        current = null;
        releasePermit();
        int target = attempt.target();
        String alias = attempt.lease().alias();
        pools.get(target).failed(attempt.lease(), failure);
        lastFailure = failure;
        FailureKind kind = failure.kind();
        tried.get(target).add(alias);
        if (kind.blamesToken()) {
            blamed.get(target).add(alias);
        }
        if (kind == FailureKind.CLIENT_GONE) {
            return stop(null);
        }
        if (!kind.failsOver()) {
            return stop(failure.clientError());
        }
        if (!kind.blamesToken() && ++countedRetries > retry.maxRetries()) {
            return stop(giveUpError());
        }
        if (kind == FailureKind.INVALID_RESPONSE && ++invalidResponses > 1) {
            return stop(giveUpError());
        }
        if (!kind.retryable()) {
            condemned[target] = true; // TLS or redirect: the endpoint, not the token
        }
        return next(target, !kind.blamesToken(), kind);
    }

    /** The current attempt reached commit: reports the token healthy and ends the plan. */
    public synchronized void succeeded(Attempt attempt) {
        requireCurrent(attempt);
        current = null;
        pools.get(attempt.target()).succeeded(attempt.lease());
        finish();
    }

    /**
     * Ends the plan whatever its state (the caller left, the request ended): frees an unreported lease without a
     * verdict, the retry permit and the active-request count. Idempotent; call it on every path.
     */
    @Override
    public synchronized void close() {
        if (current != null) {
            pools.get(current.target()).release(current.lease());
            current = null;
        }
        finish();
    }

    /** Time left before the deadline; an attempt's first-byte timeout should not run past it. */
    public synchronized Duration remaining() {
        return Duration.ofMillis(Math.max(0, deadline - clock.millis()));
    }

    /** Attempts handed out so far. */
    public synchronized int attempts() {
        return attempts;
    }

    /**
     * Finds the next token from {@code from} on; {@code retryTried} allows tokens this request tried whose failure was
     * not their own when no fresh token is left anywhere.
     */
    private Step next(int from, boolean retryTried, FailureKind after) {
        boolean rateLimited = false;
        TokenLease lease = null;
        int target = -1;
        for (int pass = 0; pass < (retryTried ? 2 : 1) && lease == null; pass++) {
            for (int t = from; t < pools.size() && lease == null; t++) {
                if (condemned[t]) {
                    continue;
                }
                Pick pick = pools.get(t).lease(pass == 0 ? tried.get(t) : blamed.get(t));
                rateLimited |= pick.status() == Pick.Status.RATE_LIMITED;
                if (pick.leased()) {
                    lease = pick.lease();
                    target = t;
                }
            }
        }
        if (lease == null) {
            return stop(rateLimited || lastFailure == null || lastFailure.kind().blamesToken()
                    ? noTokenError() : lastFailure.clientError());
        }
        Duration delay = Duration.ZERO;
        if (after != null && after.backoff() && target == from) {
            delay = backoff.delay(backoffs++);
        }
        if (after != null && clock.millis() + delay.toMillis() >= deadline) {
            pools.get(target).release(lease);
            return stop(giveUpError());
        }
        if (after != null) {
            if (!budget.tryAcquireRetry()) {
                pools.get(target).release(lease);
                return stop(giveUpError());
            }
            holdingPermit = true;
        }
        current = new Attempt(++attempts, target, lease, delay);
        return new Step(current, null);
    }

    /** When the bounds (retries, deadline, budget) end the plan: the last failure, or a 429 if tokens are cooling. */
    private ApiError giveUpError() {
        return lastFailure.kind().blamesToken() ? noTokenError() : lastFailure.clientError();
    }

    /** No usable token: 429 with the shortest cooldown if any token is cooling, else the credentials are spent. */
    private ApiError noTokenError() {
        Optional<Duration> shortest = pools.stream().map(TokenPool::shortestCooldown).flatMap(Optional::stream)
                .min(Duration::compareTo);
        if (shortest.isPresent()) {
            return UpstreamFailures.rateLimited(shortest.get());
        }
        return lastFailure != null ? lastFailure.clientError() : UpstreamFailures.credentialsExhausted();
    }

    private Step stop(ApiError clientError) {
        finish();
        return new Step(null, clientError);
    }

    private void finish() {
        releasePermit();
        if (started && !finished) {
            budget.requestFinished();
        }
        finished = true;
    }

    private void releasePermit() {
        if (holdingPermit) {
            holdingPermit = false;
            budget.releaseRetry();
        }
    }

    private void requireCurrent(Attempt attempt) {
        if (finished || attempt == null || attempt != current) {
            throw new IllegalStateException("not the plan's current attempt: " + attempt);
        }
    }
}
