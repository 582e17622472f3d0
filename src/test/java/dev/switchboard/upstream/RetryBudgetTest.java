package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private final RetryBudget budget = RetryBudget.defaults();

    @Test
    void atLeastThreeRetriesEvenWhenIdle() {
        assertEquals(3, budget.limit());
        assertTrue(budget.tryAcquireRetry());
        assertTrue(budget.tryAcquireRetry());
        assertTrue(budget.tryAcquireRetry());
        assertFalse(budget.tryAcquireRetry());
        budget.releaseRetry();
        assertTrue(budget.tryAcquireRetry());
        assertEquals(3, budget.retriesInFlight());
    }

    @Test
    void twentyPercentOfActiveRequests() {
        for (int i = 0; i < 100; i++) {
            budget.requestStarted();
        }
        assertEquals(20, budget.limit());
        for (int i = 0; i < 20; i++) {
            assertTrue(budget.tryAcquireRetry());
        }
        assertFalse(budget.tryAcquireRetry());
        for (int i = 0; i < 50; i++) {
            budget.requestFinished();
        }
        assertEquals(10, budget.limit());
        assertFalse(budget.tryAcquireRetry(), "20 in flight over a limit of 10");
        assertEquals(50, budget.activeRequests());
    }

    @Test
    void unmatchedReleasesAreBugs() {
        assertThrows(IllegalStateException.class, budget::releaseRetry);
        assertThrows(IllegalStateException.class, budget::requestFinished);
        assertEquals(0, budget.retriesInFlight());
        assertEquals(0, budget.activeRequests());
    }

    @Test
    void concurrentAcquiresNeverExceedTheLimit() throws Exception {
        for (int i = 0; i < 50; i++) {
            budget.requestStarted();
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(threads.submit(() -> {
                start.await();
                return budget.tryAcquireRetry();
            }));
        }
        start.countDown();
        int granted = 0;
        for (Future<Boolean> result : results) {
            granted += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
        }
        threads.shutdown();
        assertEquals(10, granted);
        assertEquals(10, budget.retriesInFlight());
    }
}
