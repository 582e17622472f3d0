package dev.switchboard.upstream;

import static dev.switchboard.upstream.TokenPoolTest.credentials;
import static dev.switchboard.upstream.TokenPoolTest.rateLimited;
import static dev.switchboard.upstream.TokenPoolTest.serverError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RetryConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.upstream.AttemptPlan.Attempt;
import dev.switchboard.upstream.AttemptPlan.Step;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttemptPlanTest {
    /** 2 retries, backoff 200 ms → 5 s, deadline 10 s; ejection after 3. */
    private static final RetryConfig RETRY = new RetryConfig(2, 200L, 5_000L, 10_000L, null, null, null, 3, 30_000L,
            120_000L, 600_000L);
    private final MutableClock clock = new MutableClock();
    private final RetryBudget budget = RetryBudget.defaults();
    private final TokenPool a = pool("a", 3);
    private final TokenPool b = pool("b", 2);
    private final List<AttemptPlan> plans = new ArrayList<>();

    @AfterEach
    void everyPlanGaveBackWhatItTook() {
        plans.forEach(AttemptPlan::close);
        assertEquals(0, budget.activeRequests());
        assertEquals(0, budget.retriesInFlight());
    }

    @Test
    void firstAttemptSucceeds() {
        AttemptPlan plan = plan(a);
        Attempt first = plan.first().attempt();
        assertEquals(new Attempt(1, 0, first.lease(), Duration.ZERO), first);
        assertEquals("a#1", first.lease().alias());
        assertEquals(1, budget.activeRequests());
        plan.succeeded(first);
        assertEquals(0, budget.activeRequests());
        assertThrows(IllegalStateException.class, () -> plan.failed(first, serverError()));
    }

    @Test
    void rateLimitedTokensRotateAtOnceBeyondMaxRetriesAndEndIn429WithTheShortestCooldown() {
        AttemptPlan plan = plan(pool("big", 5, new RetryConfig(0, null, null, null, null, null, null, null, null, null,
                null)));
        Attempt attempt = plan.first().attempt();
        List<String> aliases = new ArrayList<>();
        long[] cooldowns = {30, 8, 20, 9, 40};
        Step step = null;
        for (long cooldown : cooldowns) {
            aliases.add(attempt.lease().alias());
            step = plan.failed(attempt, rateLimited(cooldown));
            if (!step.proceed()) {
                break;
            }
            assertEquals(Duration.ZERO, step.attempt().delay(), "429: another token at once");
            attempt = step.attempt();
        }
        assertEquals(List.of("big#1", "big#2", "big#3", "big#4", "big#5"), aliases);
        assertFalse(step.proceed());
        assertEquals(429, step.clientError().status());
        assertEquals("8", step.clientError().headers().get("Retry-After"));
    }

    @Test
    void aPlatformWhoseTokensAllCoolFailsOverToTheNext() {
        for (int i = 0; i < 3; i++) {
            a.failed(a.lease(Set.of()).lease(), rateLimited(10 + i));
        }
        AttemptPlan plan = plan(a, b);
        Attempt first = plan.first().attempt();
        assertEquals(1, first.target());
        assertEquals("b#1", first.lease().alias());
        Step second = plan.failed(first, rateLimited(50));
        assertEquals("b#2", second.attempt().lease().alias());
        Step end = plan.failed(second.attempt(), rateLimited(50));
        assertEquals(429, end.clientError().status());
        assertEquals("10", end.clientError().headers().get("Retry-After"), "shortest over every platform");
    }

    @Test
    void everythingCoolingBeforeTheRequestIsA429WithoutAnAttempt() {
        b.failed(b.lease(Set.of()).lease(), rateLimited(3));
        b.failed(b.lease(Set.of()).lease(), rateLimited(7));
        Step step = plan(b).first();
        assertFalse(step.proceed());
        assertEquals(429, step.clientError().status());
        assertEquals("3", step.clientError().headers().get("Retry-After"));
    }

    @Test
    void everythingDisabledIsCredentialsExhausted() {
        b.failed(b.lease(Set.of()).lease(), credentials());
        b.failed(b.lease(Set.of()).lease(), credentials());
        Step step = plan(b).first();
        assertEquals("upstream_credentials_exhausted", step.clientError().code());
        assertEquals(502, step.clientError().status());
    }

    @Test
    void refusedTokensRotateAndTheCallerNeverSeesTheVendors401() {
        AttemptPlan plan = plan(b);
        Step step = plan.failed(plan.first().attempt(), credentials());
        assertEquals("b#2", step.attempt().lease().alias());
        Step end = plan.failed(step.attempt(), credentials());
        assertEquals(502, end.clientError().status());
        assertEquals("upstream_credentials_exhausted", end.clientError().code());
    }

    @Test
    void aRefusedAndARateLimitedTokenEndIn429() {
        AttemptPlan plan = plan(b);
        Step step = plan.failed(plan.first().attempt(), rateLimited(6));
        Step end = plan.failed(step.attempt(), credentials());
        assertEquals(429, end.clientError().status());
        assertEquals("6", end.clientError().headers().get("Retry-After"));
    }

    @Test
    void serverErrorsBackOffOnAnotherTokenAndStopAfterMaxRetriesWithTheLastError() {
        AttemptPlan plan = plan(a);
        Attempt first = plan.first().attempt();
        Step second = plan.failed(first, serverError());
        assertEquals("a#2", second.attempt().lease().alias());
        assertEquals(Duration.ofMillis(100), second.attempt().delay(), "half of [0, 200]");
        assertEquals(1, budget.retriesInFlight(), "the retry holds a permit");
        Step third = plan.failed(second.attempt(), serverError());
        assertEquals("a#3", third.attempt().lease().alias());
        assertEquals(Duration.ofMillis(200), third.attempt().delay(), "half of [0, 400]");
        ApiError last = ApiError.server(504, "upstream_error", "last");
        Step end = plan.failed(third.attempt(), Failure.of(FailureKind.SERVER_ERROR, last));
        assertFalse(end.proceed());
        assertEquals(last, end.clientError());
        assertEquals(3, plan.attempts());
    }

    @Test
    void aSingleTokenPlatformRetriesTheSameTokenAfterTransientFailures() {
        TokenPool single = pool("solo", 1);
        AttemptPlan plan = plan(single);
        Attempt first = plan.first().attempt();
        Step second = plan.failed(first, UpstreamFailures.classify(new ConnectException()));
        assertEquals("solo#1", second.attempt().lease().alias());
        assertEquals(Duration.ofMillis(100), second.attempt().delay());
        Step third = plan.failed(second.attempt(), UpstreamFailures.firstByteTimeout());
        assertEquals(Duration.ZERO, third.attempt().delay(), "no backoff after a first-byte timeout");
        Step end = plan.failed(third.attempt(), UpstreamFailures.classify(new ConnectException()));
        assertEquals("upstream_connect_error", end.clientError().code());
    }

    @Test
    void aRateLimitedSingleTokenIsNotRetried() {
        AttemptPlan plan = plan(pool("solo", 1));
        Step end = plan.failed(plan.first().attempt(), rateLimited(4));
        assertEquals(429, end.clientError().status());
        assertEquals(1, plan.attempts());
    }

    @Test
    void transientFailureFailsOverToAFreshPlatformWithoutBackoffBeforeRetryingATriedToken() {
        TokenPool single = pool("solo", 1);
        AttemptPlan plan = plan(single, b);
        Step second = plan.failed(plan.first().attempt(), serverError());
        assertEquals("b#1", second.attempt().lease().alias());
        assertEquals(Duration.ZERO, second.attempt().delay(), "another endpoint: at once");
    }

    @Test
    void clientErrorsStopAtOnceWithTheVendorsError() {
        AttemptPlan plan = plan(a, b);
        ApiError vendor = ApiError.invalidRequest(422, "invalid_value", "temperature", "bad temperature");
        Step end = plan.failed(plan.first().attempt(), Failure.of(FailureKind.CLIENT_ERROR, vendor));
        assertEquals(vendor, end.clientError());
        assertEquals(1, plan.attempts());
    }

    @Test
    void tlsFailureSkipsThePlatformsOtherTokensButFailsOver() {
        AttemptPlan plan = plan(a, b);
        Step next = plan.failed(plan.first().attempt(), UpstreamFailures.classify(new SSLHandshakeException("x")));
        assertEquals("b#1", next.attempt().lease().alias());

        AttemptPlan alone = plan(a);
        Step end = alone.failed(alone.first().attempt(), UpstreamFailures.classify(new SSLHandshakeException("x")));
        assertEquals("upstream_tls_error", end.clientError().code());
    }

    @Test
    void redirectIsNeverRetriedOnTheSamePlatform() {
        AttemptPlan plan = plan(a);
        Failure redirect = Failure.of(FailureKind.REDIRECT, ApiError.server(502, "upstream_unexpected_redirect", "r"));
        assertEquals("upstream_unexpected_redirect", plan.failed(plan.first().attempt(), redirect).clientError().code());
    }

    @Test
    void anInvalidResponseIsRetriedOnce() {
        AttemptPlan plan = plan(a);
        Step second = plan.failed(plan.first().attempt(), UpstreamFailures.invalidResponse());
        assertTrue(second.proceed());
        Step end = plan.failed(second.attempt(), UpstreamFailures.invalidResponse());
        assertEquals("upstream_invalid_response", end.clientError().code());
        assertEquals(2, plan.attempts());
    }

    @Test
    void theDeadlineCoversAttemptsAndBackoff() {
        AttemptPlan plan = plan(a);
        Attempt first = plan.first().attempt();
        clock.advanceMillis(9_950);
        assertEquals(Duration.ofMillis(50), plan.remaining());
        Step end = plan.failed(first, serverError());
        assertFalse(end.proceed(), "a 100 ms backoff would end past the deadline");
        assertEquals(503, end.clientError().status());
        assertTrue(a.health().stream().noneMatch(TokenPool.TokenHealth::probing));

        AttemptPlan rotating = plan(b);
        Attempt attempt = rotating.first().attempt();
        clock.advanceMillis(10_000);
        assertEquals(Duration.ZERO, rotating.remaining());
        assertEquals(429, rotating.failed(attempt, rateLimited(2)).clientError().status());
    }

    @Test
    void noBudgetNoRetry() {
        for (int i = 0; i < 3; i++) {
            assertTrue(budget.tryAcquireRetry());
        }
        AttemptPlan plan = plan(a);
        Step end = plan.failed(plan.first().attempt(), serverError());
        assertFalse(end.proceed());
        assertEquals(503, end.clientError().status());
        for (int i = 0; i < 3; i++) {
            budget.releaseRetry();
        }
    }

    @Test
    void clientGoneStopsSilently() {
        AttemptPlan plan = plan(a);
        Step end = plan.failed(plan.first().attempt(), UpstreamFailures.clientGone());
        assertFalse(end.proceed());
        assertNull(end.clientError());
    }

    @Test
    void closeFreesAnUnreportedProbe() {
        TokenPool probed = pool("p", 1);
        for (int i = 0; i < 3; i++) {
            probed.failed(probed.lease(Set.of()).lease(), serverError());
        }
        clock.advanceMillis(30_000);
        AttemptPlan plan = plan(pool("x", 1), probed);
        Step second = plan.failed(plan.first().attempt(), rateLimited(5));
        assertEquals("p#1", second.attempt().lease().alias());
        assertTrue(second.attempt().lease().probe());
        plan.close();
        plan.close();
        assertTrue(probed.lease(Set.of()).lease().probe(), "the probe slot is free again");
        assertThrows(IllegalStateException.class, () -> plan.succeeded(second.attempt()));
    }

    @Test
    void misuseIsRefused() {
        AttemptPlan plan = plan(a);
        Attempt first = plan.first().attempt();
        assertThrows(IllegalStateException.class, plan::first);
        Step second = plan.failed(first, serverError());
        assertThrows(IllegalStateException.class, () -> plan.failed(first, serverError()), "a stale attempt");
        plan.succeeded(second.attempt());
        assertThrows(IllegalArgumentException.class, () -> new AttemptPlan(List.of(), budget, clock, () -> 0.5));
    }

    private AttemptPlan plan(TokenPool... pools) {
        AttemptPlan plan = new AttemptPlan(List.of(pools), budget, clock, () -> 0.5);
        plans.add(plan);
        return plan;
    }

    private TokenPool pool(String name, int size) {
        return pool(name, size, RETRY);
    }

    private TokenPool pool(String name, int size, RetryConfig retry) {
        List<String> tokens = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            tokens.add("sk-" + name + "-" + i);
        }
        return new TokenPool(name, tokens, retry, clock);
    }
}
