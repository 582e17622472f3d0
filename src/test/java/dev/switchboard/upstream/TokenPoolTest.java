package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RetryConfig;
import dev.switchboard.upstream.Pick.Status;
import dev.switchboard.upstream.TokenPool.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenPoolTest {
    /** eject after 3, eject 30 s doubling to 120 s, disabled 600 s. */
    static final RetryConfig RETRY = new RetryConfig(null, null, null, null, null, null, null, 3, 30_000L, 120_000L,
            600_000L);
    private final MutableClock clock = new MutableClock();
    private final TokenPool pool = new TokenPool("openai", List.of("sk-a", "sk-b", "sk-c"), RETRY, clock);

    @Test
    void healthyTokensRoundRobinUnderTheirAliases() {
        List<String> aliases = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TokenLease lease = lease();
            aliases.add(lease.alias());
            tokens.add(lease.token());
            pool.succeeded(lease);
        }
        assertEquals(List.of("openai#1", "openai#2", "openai#3", "openai#1", "openai#2", "openai#3"), aliases);
        assertEquals(List.of("sk-a", "sk-b", "sk-c", "sk-a", "sk-b", "sk-c"), tokens);
    }

    @Test
    void leaseNeverShowsItsTokenWhenPrinted() {
        TokenLease lease = lease();
        assertEquals("openai#1", lease.toString());
        assertFalse(Pick.leased(lease).toString().contains("sk-"));
        assertFalse(pool.health().toString().contains("sk-"));
    }

    @Test
    void excludedAliasesAreSkipped() {
        assertEquals("openai#3", pool.lease(Set.of("openai#1", "openai#2")).lease().alias());
        assertEquals(Status.NONE_LEFT, pool.lease(Set.of("openai#1", "openai#2", "openai#3")).status());
        assertEquals(Status.NONE_LEFT,
                new TokenPool("empty", List.of(), RETRY, clock).lease(Set.of()).status());
    }

    @Test
    void rateLimitedTokenCoolsDownThenReturnsWithoutAProbe() {
        pool.failed(leaseOf("openai#1"), rateLimited(10));

        for (int i = 0; i < 4; i++) {
            assertNotEquals("openai#1", lease().alias());
        }
        assertEquals(Optional.of(Duration.ofSeconds(10)), pool.shortestCooldown());
        clock.advanceMillis(9_999);
        assertEquals(Optional.of(Duration.ofMillis(1)), pool.shortestCooldown());
        assertEquals(Status.RATE_LIMITED, pool.lease(Set.of("openai#2", "openai#3")).status());
        clock.advanceMillis(1);
        assertEquals(Optional.empty(), pool.shortestCooldown());
        TokenLease back = pool.lease(Set.of("openai#2", "openai#3")).lease();
        assertEquals("openai#1", back.alias());
        assertFalse(back.probe());
    }

    @Test
    void allCoolingAnswersRateLimitedWithTheShortestCooldown() {
        pool.failed(leaseOf("openai#1"), rateLimited(30));
        pool.failed(leaseOf("openai#2"), rateLimited(7));
        pool.failed(leaseOf("openai#3"), rateLimited(12));
        clock.advanceMillis(2_000);

        Pick pick = pool.lease(Set.of());
        assertEquals(Status.RATE_LIMITED, pick.status());
        assertEquals(Duration.ofSeconds(5), pick.retryAfter());
        assertNull(pick.lease());
        // Only the tokens this request may still use count.
        assertEquals(Duration.ofSeconds(10), pool.lease(Set.of("openai#2")).retryAfter());
        assertEquals(Optional.of(Duration.ofSeconds(5)), pool.shortestCooldown());
    }

    @Test
    void aLaterLongerCooldownExtendsButAShorterOneDoesNotShorten() {
        pool.failed(leaseOf("openai#1"), rateLimited(20));
        pool.failed(forced("openai#1"), rateLimited(5));
        assertEquals(Duration.ofSeconds(20), health("openai#1").remaining());
    }

    @Test
    void disabledTokenIsSkippedUntilOneProbeRevalidatesIt() {
        pool.failed(leaseOf("openai#2"), credentials());
        assertEquals(State.DISABLED, health("openai#2").state());
        for (int i = 0; i < 6; i++) {
            assertNotEquals("openai#2", lease().alias());
        }
        clock.advanceMillis(600_000);
        TokenLease probe = leaseOf("openai#2");
        assertTrue(probe.probe());
        assertTrue(health("openai#2").probing());
        // Only one probe at a time: other requests keep away from it.
        for (int i = 0; i < 6; i++) {
            assertNotEquals("openai#2", lease().alias());
        }
        pool.succeeded(probe);
        assertEquals(State.HEALTHY, health("openai#2").state());
    }

    @Test
    void aFailedRevalidationDisablesAgain() {
        pool.failed(leaseOf("openai#2"), credentials());
        clock.advanceMillis(600_000);
        pool.failed(leaseOf("openai#2"), UpstreamFailures.classify(new java.net.ConnectException()));
        assertEquals(State.DISABLED, health("openai#2").state(), "a transient failure says nothing of the key");
        TokenLease again = leaseOf("openai#2");
        assertTrue(again.probe(), "due again at once");
        pool.failed(again, credentials());
        assertEquals(Status.DISABLED, pool.lease(Set.of("openai#1", "openai#3")).status());
        assertEquals(Duration.ofSeconds(600), health("openai#2").remaining());
    }

    @Test
    void allDisabledSaysSoInsteadOfHandingOneOut() {
        for (String alias : List.of("openai#1", "openai#2", "openai#3")) {
            pool.failed(leaseOf(alias), credentials());
        }
        assertEquals(Status.DISABLED, pool.lease(Set.of()).status());
    }

    @Test
    void consecutiveFailuresEjectAndASuccessInBetweenResets() {
        TokenLease first = leaseOf("openai#1");
        pool.failed(first, serverError());
        pool.failed(leaseOf("openai#1"), serverError());
        pool.succeeded(leaseOf("openai#1"));
        pool.failed(leaseOf("openai#1"), serverError());
        pool.failed(leaseOf("openai#1"), serverError());
        assertEquals(State.HEALTHY, health("openai#1").state());
        pool.failed(leaseOf("openai#1"), serverError());
        assertEquals(State.EJECTED, health("openai#1").state());
        assertEquals(Duration.ofSeconds(30), health("openai#1").remaining());
    }

    @Test
    void ejectedTokenReturnsOnlyThroughASingleProbeAndFailedProbesDoubleTheEjection() {
        eject("openai#1");
        clock.advanceMillis(29_999);
        TokenLease early = pool.lease(Set.of("openai#2", "openai#3")).lease();
        assertTrue(early.lastResort(), "not due for a probe yet: only the last resort");
        assertFalse(early.probe());
        clock.advanceMillis(1);

        TokenLease probe = leaseOf("openai#1");
        assertTrue(probe.probe());
        pool.failed(probe, serverError());
        assertEquals(Duration.ofSeconds(60), health("openai#1").remaining());
        clock.advanceMillis(60_000);
        pool.failed(leaseOf("openai#1"), serverError());
        assertEquals(Duration.ofSeconds(120), health("openai#1").remaining());
        clock.advanceMillis(120_000);
        pool.failed(leaseOf("openai#1"), serverError());
        assertEquals(Duration.ofSeconds(120), health("openai#1").remaining(), "capped at ejectMaxMs");
        clock.advanceMillis(120_000);

        TokenLease good = leaseOf("openai#1");
        assertTrue(good.probe());
        pool.succeeded(good);
        assertEquals(new TokenPool.TokenHealth("openai#1", State.HEALTHY, Duration.ZERO, 0, false),
                health("openai#1"));
        eject("openai#1");
        assertEquals(Duration.ofSeconds(30), health("openai#1").remaining(), "a re-admitted token starts over");
    }

    @Test
    void aWholeEjectedPoolHandsOutTheLeastRecentlyFailedToken() {
        eject("openai#2");
        clock.advanceMillis(1_000);
        eject("openai#1");
        clock.advanceMillis(1_000);
        eject("openai#3");

        TokenLease lease = pool.lease(Set.of()).lease();
        assertEquals("openai#2", lease.alias());
        assertTrue(lease.lastResort());
        assertFalse(lease.probe());
        assertEquals("openai#1", pool.lease(Set.of("openai#2")).lease().alias());
        pool.failed(lease, serverError());
        assertEquals("openai#1", pool.lease(Set.of()).lease().alias(), "#2 failed last now");
        pool.succeeded(pool.lease(Set.of()).lease());
        assertEquals(State.HEALTHY, health("openai#1").state());
    }

    @Test
    void coolingBeatsLastResort() {
        eject("openai#1");
        eject("openai#2");
        pool.failed(leaseOf("openai#3"), rateLimited(4));
        Pick pick = pool.lease(Set.of());
        assertEquals(Status.RATE_LIMITED, pick.status());
        assertEquals(Duration.ofSeconds(4), pick.retryAfter());
        assertEquals(Status.LEASED, pool.lease(Set.of("openai#3")).status(), "without #3, the last resort");
    }

    @Test
    void aStaleSuccessDoesNotUndoANewerVerdict() {
        TokenLease slow = leaseOf("openai#1");
        pool.failed(leaseOf("openai#1"), credentials());
        pool.succeeded(slow);
        assertEquals(State.DISABLED, health("openai#1").state());

        TokenLease slow3 = leaseOf("openai#3");
        pool.failed(leaseOf("openai#3"), rateLimited(9));
        pool.succeeded(slow3);
        assertEquals(State.COOLING, health("openai#3").state());
    }

    @Test
    void aNeutralOutcomeReleasesAProbeWithoutAVerdict() {
        eject("openai#1");
        clock.advanceMillis(30_000);
        TokenLease probe = leaseOf("openai#1");
        pool.failed(probe, UpstreamFailures.clientGone());
        assertEquals(State.EJECTED, health("openai#1").state());
        assertTrue(leaseOf("openai#1").probe(), "the next request probes");
    }

    @Test
    void leasesFromAnotherPoolAreRefused() {
        TokenPool other = new TokenPool("other", List.of("x"), RETRY, clock);
        TokenLease foreign = other.lease(Set.of()).lease();
        assertThrows(IllegalArgumentException.class, () -> pool.succeeded(foreign));
    }

    @Test
    void concurrentLeasesAndReportsKeepTheProbeSingle() throws Exception {
        eject("openai#1");
        eject("openai#2");
        eject("openai#3");
        clock.advanceMillis(30_000);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TokenLease>> leases = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            leases.add(threads.submit(() -> {
                start.await();
                return pool.lease(Set.of()).lease();
            }));
        }
        start.countDown();
        Set<String> probes = new HashSet<>();
        int probeCount = 0;
        for (Future<TokenLease> future : leases) {
            TokenLease lease = future.get(10, TimeUnit.SECONDS);
            if (lease.probe()) {
                probeCount++;
                probes.add(lease.alias());
            }
        }
        threads.shutdown();
        assertEquals(3, probeCount, "one probe per ejected token");
        assertEquals(Set.of("openai#1", "openai#2", "openai#3"), probes);
    }

    private void eject(String alias) {
        for (int i = 0; i < RETRY.ejectAfterFailures(); i++) {
            pool.failed(forced(alias), serverError());
        }
        assertEquals(State.EJECTED, health(alias).state());
    }

    /** A lease of this alias whatever its state, as an in-flight request that took it earlier would hold. */
    private TokenLease forced(String alias) {
        int index = Integer.parseInt(alias.substring(alias.indexOf('#') + 1)) - 1;
        return new TokenLease(pool, index, -1, "sk", alias, false, false);
    }

    private TokenLease leaseOf(String alias) {
        Set<String> others = new HashSet<>(Set.of("openai#1", "openai#2", "openai#3"));
        others.remove(alias);
        Pick pick = pool.lease(others);
        assertEquals(Status.LEASED, pick.status(), () -> alias + " not available: " + pick);
        return pick.lease();
    }

    private TokenLease lease() {
        return pool.lease(Set.of()).lease();
    }

    private TokenPool.TokenHealth health(String alias) {
        return pool.health().stream().filter(h -> h.alias().equals(alias)).findFirst().orElseThrow();
    }

    static Failure rateLimited(long seconds) {
        return new Failure(FailureKind.RATE_LIMITED, UpstreamFailures.rateLimited(Duration.ofSeconds(seconds)),
                Duration.ofSeconds(seconds));
    }

    static Failure credentials() {
        return Failure.of(FailureKind.CREDENTIALS_REJECTED, UpstreamFailures.credentialsExhausted());
    }

    static Failure serverError() {
        return Failure.of(FailureKind.SERVER_ERROR, dev.switchboard.openai.ApiError.server(503, "upstream_error", "x"));
    }
}
