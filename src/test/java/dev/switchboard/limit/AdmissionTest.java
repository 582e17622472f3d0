package dev.switchboard.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    @Test
    void everySlotIsGivenBackExactlyOnce() {
        AtomicInteger global = new AtomicInteger(1);
        AtomicInteger caller = new AtomicInteger(1);
        Admission admission = new Admission(global::decrementAndGet);
        admission.add(caller::decrementAndGet);

        admission.release();
        admission.release();

        assertEquals(0, global.get());
        assertEquals(0, caller.get());
    }

    @Test
    void aSlotAddedAfterTheReleaseIsGivenBackAtOnce() {
        AtomicInteger caller = new AtomicInteger(1);
        Admission admission = new Admission(() -> {});
        admission.release();

        admission.add(caller::decrementAndGet);

        assertEquals(0, caller.get());
    }

    @Test
    void aFailingReleaseDoesNotKeepTheOthers() {
        AtomicInteger caller = new AtomicInteger(1);
        Admission admission = new Admission(() -> {
            throw new IllegalStateException("boom");
        });
        admission.add(caller::decrementAndGet);

        assertThrows(IllegalStateException.class, admission::release);
        assertEquals(0, caller.get());
    }

    @Test
    void racingReleasesGiveBackOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicInteger released = new AtomicInteger();
            Admission admission = new Admission(released::incrementAndGet);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    admission.release();
                });
                thread.start();
                threads.add(thread);
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(1, released.get());
        }
    }

    @Test
    void handedOffItIsReleasedByWhoeverFinishesTheResponse() {
        AtomicInteger released = new AtomicInteger();
        Admission admission = new Admission(released::incrementAndGet);
        assertFalse(admission.isHandedOff());

        Runnable whenFinished = admission.handOff();

        assertTrue(admission.isHandedOff());
        assertEquals(0, released.get());
        whenFinished.run();
        whenFinished.run();
        assertEquals(1, released.get());
    }
}
