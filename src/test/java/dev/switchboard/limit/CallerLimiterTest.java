package dev.switchboard.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.CallerLimitsConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.LicenseConfig;
import dev.switchboard.config.AppConfig;
import dev.switchboard.config.LimitsConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallerLimiterTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(-5 * SECOND);

    private CallerLimiter limiter(int maxConcurrent, int perMinute, int maxTracked) {
        return new CallerLimiter(Map.of("team-a", new CallerLimitsConfig(maxConcurrent, perMinute)),
                new CallerLimitsConfig(1_000, 1_000_000), maxTracked, now::get);
    }

    @Test
    void concurrencyIsCappedAndEverySlotComesBack() throws ApiException {
        CallerLimiter limiter = limiter(2, 1_000_000, 100);
        Runnable first = limiter.acquire("team-a");
        Runnable second = limiter.acquire("team-a");
        assertEquals(2, limiter.inFlight("team-a"));

        ApiError refused = assertThrows(ApiException.class, () -> limiter.acquire("team-a")).error();
        assertRateLimited(refused, "1");
        assertEquals(2, limiter.inFlight("team-a"), "a refusal takes no slot");

        first.run();
        Runnable third = limiter.acquire("team-a");
        second.run();
        third.run();
        assertEquals(0, limiter.inFlight("team-a"));
    }

    @Test
    void releasingTwiceGivesBackOneSlot() throws ApiException {
        CallerLimiter limiter = limiter(2, 1_000_000, 100);
        Runnable first = limiter.acquire("team-a");
        limiter.acquire("team-a");

        first.run();
        first.run();

        assertEquals(1, limiter.inFlight("team-a"));
    }

    @Test
    void requestsPerMinuteRefuseWithTheSecondsUntilATokenIsBack() throws ApiException {
        CallerLimiter limiter = limiter(10, 3, 100);
        for (int i = 0; i < 3; i++) {
            limiter.acquire("team-a").run();
        }
        assertRateLimited(assertThrows(ApiException.class, () -> limiter.acquire("team-a")).error(), "20");

        now.addAndGet(19 * SECOND + 1);
        assertRateLimited(assertThrows(ApiException.class, () -> limiter.acquire("team-a")).error(), "1");
        assertEquals(0, limiter.inFlight("team-a"), "a rate refusal takes no concurrency slot");

        now.addAndGet(SECOND);
        limiter.acquire("team-a").run();
    }

    @Test
    void retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
        assertEquals("1", CallerLimiter.tooManyPerMinute(1).headers().get("Retry-After"));
        assertEquals("2", CallerLimiter.tooManyPerMinute(SECOND + 1).headers().get("Retry-After"));
        assertEquals("60", CallerLimiter.tooManyPerMinute(60 * SECOND).headers().get("Retry-After"));
    }

    @Test
    void callersDoNotShareLimits() throws ApiException {
        CallerLimiter limiter = limiter(1, 1, 100);
        limiter.acquire("team-a");
        assertThrows(ApiException.class, () -> limiter.acquire("team-a"));

        Runnable other = limiter.acquire("someone-else"); // the defaults: 1,000 at once
        limiter.acquire("someone-else");
        other.run();
        assertEquals(1, limiter.inFlight("someone-else"));
    }

    @Test
    void configuredLimitsAreFoundUnderTheCallersName() throws ApiException {
        LimitsConfig limits = new LimitsConfig(null, null, null, null, null, null, 5, 1, null, null, null);
        GatewayConfig config = new GatewayConfig(
                List.of(new LicenseConfig("team-a", "ab".repeat(32), List.of("*"), null, null,
                        new CallerLimitsConfig(1, null))),
                List.of(new AppConfig("1234", "cd".repeat(32), List.of("*"), null, null,
                        new CallerLimitsConfig(null, 2))),
                Map.of(), limits, null, null);
        CallerLimiter limiter = CallerLimiter.of(config, now::get);

        limiter.acquire("team-a");
        assertThrows(ApiException.class, () -> limiter.acquire("team-a"), "the license's own maxConcurrent");

        limiter.acquire("app:1234");
        limiter.acquire("app:1234");
        assertThrows(ApiException.class, () -> limiter.acquire("app:1234"), "the app's own requestsPerMinute");

        limiter.acquire("unconfigured");
        assertThrows(ApiException.class, () -> limiter.acquire("unconfigured"), "the top-level default");
    }

    @Test
    void idleCallersAreForgottenPastTheBoundButNeverOneWithARequestInFlight() throws ApiException {
        CallerLimiter limiter = limiter(5, 60, 3);
        Runnable busy = limiter.acquire("busy");
        limiter.acquire("idle-1").run();
        limiter.acquire("idle-2").run();
        assertEquals(3, limiter.trackedCallers());

        now.addAndGet(SECOND); // every idle bucket is full again
        for (int i = 0; i < 50; i++) {
            limiter.acquire("flood-" + i).run();
            now.addAndGet(SECOND);
            assertTrue(limiter.trackedCallers() <= 3, "tracked " + limiter.trackedCallers());
        }

        assertEquals(1, limiter.inFlight("busy"));
        busy.run();
        assertEquals(0, limiter.inFlight("busy"));
    }

    @Test
    void forgettingABucketThatIsNotFullOnlyEverMakesTheLimitMoreLenient() throws ApiException {
        CallerLimiter limiter = limiter(5, 1, 1);
        limiter.acquire("team-a").run();
        assertThrows(ApiException.class, () -> limiter.acquire("team-a"));

        limiter.acquire("intruder").run(); // past the bound: team-a's empty bucket is forgotten

        assertEquals(1, limiter.trackedCallers());
        limiter.acquire("team-a").run();
    }

    @Test
    void concurrentAcquireAndReleaseComeBackToZero() throws Exception {
        CallerLimiter limiter = limiter(1_000, 1_000_000, 100);
        int threads = 8;
        int rounds = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            String caller = t % 2 == 0 ? "team-a" : "team-b";
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        Runnable release = limiter.acquire(caller);
                        release.run();
                        release.run();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(0, limiter.inFlight("team-a"));
        assertEquals(0, limiter.inFlight("team-b"));
    }

    private static void assertRateLimited(ApiError error, String retryAfter) {
        assertEquals(429, error.status());
        assertEquals("rate_limit_error", error.type());
        assertEquals("rate_limit_exceeded", error.code());
        assertNull(error.param());
        assertEquals(retryAfter, error.headers().get("Retry-After"));
        String body = new String(error.toJson(), StandardCharsets.UTF_8);
        assertFalse(body.contains("team-a"), "the body names no caller: " + body);
    }
}
