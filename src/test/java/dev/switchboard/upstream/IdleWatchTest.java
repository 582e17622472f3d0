package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleWatch} on a stepped clock. The real timer only ever holds its tasks (the idle time is an hour, so none
 * comes due during the test); each check is run by hand, so what the watch decides depends on the clock alone.
 */
class IdleWatchTest {
    private static final long IDLE_MS = TimeUnit.HOURS.toMillis(1);

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger fired = new AtomicInteger();
    private final IdleWatch watch = new IdleWatch(timer, IDLE_MS, fired::incrementAndGet, now::get);

    IdleWatchTest() {
        timer.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private void advanceMinutes(long minutes) {
        now.addAndGet(TimeUnit.MINUTES.toNanos(minutes));
    }

    @Test
    void firesOnceWhenSilentForTheIdleTime() {
        watch.start();
        advanceMinutes(60);
        watch.run();
        assertEquals(1, fired.get());
        watch.run();
        assertEquals(1, fired.get(), "at most once");
        assertEquals(0, timer.getQueue().size(), "nothing left scheduled once it fired");
    }

    @Test
    void activityPostponesItByTheSilenceStillMissing() {
        watch.start();
        advanceMinutes(40);
        watch.touch();
        advanceMinutes(30); // due by the first schedule, but only 30 minutes quiet
        watch.run();
        assertEquals(0, fired.get());
        assertEquals(1, timer.getQueue().size(), "re-armed for the remaining 30 minutes");
        advanceMinutes(30);
        watch.run();
        assertEquals(1, fired.get());
    }

    @Test
    void neverFiresOnceStopped() {
        watch.start();
        watch.stop();
        assertEquals(0, timer.getQueue().size(), "the pending check is cancelled");
        advanceMinutes(120);
        watch.run();
        assertEquals(0, fired.get());
    }
}
