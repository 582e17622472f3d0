package dev.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.switchboard.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared timer's keeper: the usual per-request deadlines (a first-byte timeout, a heartbeat) must queue behind it,
 * so that scheduling one on the request path wakes no thread, and the stats' leak check must not count it.
 */
class GatewayTimerTest {
    @Test
    void requestDeadlinesQueueBehindTheKeeperWhichTheStatsDoNotCount() throws Exception {
        try (Gateway gateway = new Gateway(ConfigLoader.load(Path.of("server-configs", "examples", "switchboard.json"),
                name -> "test-value-for-" + name))) {
            assertEquals(0, gateway.timerTasks(), "idle: nothing counted");
            assertEquals(1, gateway.timer().getQueue().size(), "only the keeper is queued");
            // The JDK's scheduled executor wakes its thread only for a task that becomes the head of its queue.
            ScheduledFuture<?> heartbeat = gateway.timer().schedule(() -> { }, 15, TimeUnit.SECONDS);
            assertNotSame(heartbeat, gateway.timer().getQueue().peek(), "a deadline seconds away is not the head");
            assertEquals(1, gateway.timerTasks());
            heartbeat.cancel(false);
            assertEquals(0, gateway.timerTasks(), "a cancelled deadline leaves the queue");
        }
    }
}
