package dev.switchboard.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.openai.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {

    @Test
    void admitsUpToTheCapThenRefusesUntilASlotComesBack() {
        InFlightLimit limit = new InFlightLimit(2);
        assertTrue(limit.tryAcquire());
        assertTrue(limit.tryAcquire());
        assertFalse(limit.tryAcquire());
        assertEquals(2, limit.inFlight(), "a refusal takes nothing");

        limit.release();
        assertTrue(limit.tryAcquire());
        limit.release();
        limit.release();
        assertEquals(0, limit.inFlight());
    }

    @Test
    void racingThreadsNeverHoldMoreThanTheCap() throws Exception {
        InFlightLimit limit = new InFlightLimit(3);
        AtomicInteger held = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    if (limit.tryAcquire()) {
                        mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                        held.decrementAndGet();
                        limit.release();
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertTrue(mostHeld.get() <= 3, "held at once: " + mostHeld.get());
        assertEquals(0, limit.inFlight());
    }

    @Test
    void overloadedIsA503ServerErrorWithRetryAfter() {
        ApiError error = InFlightLimit.overloaded();
        assertEquals(503, error.status());
        assertEquals("server_error", error.type());
        assertEquals("gateway_overloaded", error.code());
        assertEquals("1", error.headers().get("Retry-After"));
    }
}
