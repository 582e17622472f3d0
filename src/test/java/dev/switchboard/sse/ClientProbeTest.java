package dev.switchboard.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's pure logic over socket tables written by the test in the kernel's format. */
class ClientProbeTest {
    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode";
    /** The kernel's words are in the machine's byte order; these tables are written for little-endian x86. */
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    @TempDir
    Path dir;
    Path tcp;
    Path tcp6;
    ClientProbe probe;
    final AtomicInteger gone = new AtomicInteger();

    @BeforeEach
    void tables() throws IOException {
        tcp = dir.resolve("tcp");
        tcp6 = dir.resolve("tcp6");
        Files.writeString(tcp, HEADER + "\n");
        Files.writeString(tcp6, HEADER + "\n");
        probe = new ClientProbe(List.of(tcp, tcp6), null, ClientProbeTest::aSecondLaterEachTime);
    }

    /** A clock a second further on at every reading: every watch is old enough by the next scan. */
    private static final AtomicLong NOW = new AtomicLong();

    private static long aSecondLaterEachTime() {
        return NOW.addAndGet(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void keysAreTheKernelsHexInMachineOrderWithTheV4MappedFormToo() {
        List<String> keys = ClientProbe.keys("127.0.0.1", 8080, "127.0.0.1", 5555);
        String loopback = LITTLE_ENDIAN ? "0100007F" : "7F000001";
        String mapped = (LITTLE_ENDIAN ? "0000000000000000FFFF0000" : "00000000000000000000FFFF") + loopback;
        assertEquals(List.of(loopback + ":1F90 " + loopback + ":15B3", mapped + ":1F90 " + mapped + ":15B3"), keys);
        assertEquals(1, ClientProbe.keys("::1", 8080, "[::1]", 5555).size());
        assertEquals(1, ClientProbe.keys("fe80::1%eth0", 1, "fe80::2%eth0", 2).size());
        // A v4-mapped literal is an IPv4 connection.
        assertEquals(keys, ClientProbe.keys("::ffff:127.0.0.1", 8080, "127.0.0.1", 5555));
    }

    @Test
    void whatIsNotAnIpLiteralIsNotWatched() {
        assertEquals(List.of(), ClientProbe.keys("localhost", 8080, "127.0.0.1", 5555));
        assertEquals(List.of(), ClientProbe.keys("127.0.0.1", 8080, null, 5555));
        assertEquals(List.of(), ClientProbe.keys("127.0.0.1", 8080, "::1", 5555)); // mixed families: no such socket
        assertEquals(List.of(), ClientProbe.keys("127.0.0.1", -1, "127.0.0.1", 5555));
        probe.watch("example.org", 443, "127.0.0.1", 5555, gone::incrementAndGet);
        probe.scan(); // keys are worked out by the scan, off the request thread
        assertEquals(0, probe.watched());
        assertEquals(0, gone.get());
    }

    @Test
    void anEstablishedConnectionIsLeftAloneAndCloseWaitReportsItOnce() throws IOException {
        probe.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
        probe.scan();
        probe.scan();
        assertEquals(0, gone.get());

        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "08"); // the client sent FIN
        probe.scan();
        probe.scan();
        assertEquals(1, gone.get());
        assertEquals(0, probe.watched());
    }

    @Test
    void aConnectionListedInTcp6AsV4MappedIsFoundThere() throws IOException {
        probe.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp6, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
        probe.scan();
        assertEquals(0, gone.get());
        list(tcp6, "127.0.0.1", 8080, "127.0.0.1", 5555, "08");
        probe.scan();
        assertEquals(1, gone.get());
    }

    @Test
    void aConnectionThatDisappearsAfterBeingSeenWasReset() throws IOException {
        probe.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
        probe.scan();
        Files.writeString(tcp, HEADER + "\n");
        probe.scan();
        assertEquals(0, gone.get(), "one miss may be a seam in the kernel's listing");
        probe.scan();
        assertEquals(1, gone.get());
    }

    @Test
    void aConnectionMissingFromOneScanOnlyIsStillThere() throws IOException {
        probe.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
        probe.scan();
        Files.writeString(tcp, HEADER + "\n");
        probe.scan();
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
        probe.scan();
        Files.writeString(tcp, HEADER + "\n");
        probe.scan();
        assertEquals(0, gone.get());
        assertEquals(1, probe.watched());
    }

    @Test
    void aConnectionNeverSeenIsNeverCalledGoneForBeingAbsent() throws IOException {
        // e.g. a proxy's forwarded address in the request: the four-tuple is not a socket of this machine
        probe.watch("127.0.0.1", 8080, "10.9.8.7", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 6666, "01");
        probe.scan();
        probe.scan();
        assertEquals(0, gone.get());
        assertEquals(1, probe.watched());
    }

    @Test
    void aCancelledWatchIsNeverReported() throws IOException {
        ClientProbe.Watch watch = probe.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "08");
        watch.cancel();
        probe.scan();
        assertEquals(0, gone.get());
        assertEquals(0, probe.watched());
    }

    @Test
    void withoutTablesNothingIsWatchedAndNothingFails() {
        ClientProbe none = new ClientProbe(List.of(dir.resolve("missing")), null);
        none.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet).cancel();
        none.scan();
        assertEquals(0, none.watched());
        assertEquals(0, gone.get());
    }

    @Test
    void aTableThatVanishesIsNoReasonToCallAnyoneGone() throws IOException {
        probe.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
        probe.scan();
        Files.delete(tcp);
        Files.delete(tcp6);
        probe.scan();
        assertEquals(0, gone.get());
    }

    @Test
    void ticksRunWhetherOrNotAnythingIsWatchedAndAWatchQueuesNothing() throws Exception {
        // Each tick that has run (and queued its successor) releases one permit.
        Semaphore ticksRun = new Semaphore(0);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1) {
            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                ticksRun.release();
            }
        };
        try {
            ClientProbe timed = new ClientProbe(List.of(tcp, tcp6), timer);
            assertEquals(1, timer.getQueue().size(), "the first tick is queued from the start");
            // A watch only joins the set: nothing is scheduled on the request's thread, so no thread is woken there.
            ClientProbe.Watch first = timed.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
            timed.watch("127.0.0.1", 8080, "127.0.0.1", 5556, gone::incrementAndGet).cancel();
            assertEquals(1, timer.getQueue().size(), "a watch queues nothing");
            list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "01");
            assertTrue(ticksRun.tryAcquire(5, TimeUnit.SECONDS), "the first tick ran");
            assertEquals(1, timer.getQueue().size(), "the next tick is queued");
            // The watch is old enough by the second tick at the latest: one of the first two read the tables.
            assertTrue(ticksRun.tryAcquire(5, TimeUnit.SECONDS), "the second tick ran");
            assertTrue(timed.tableReads() >= 1, "a watched connection past the minimum age is looked up");
            first.cancel();
            assertTrue(ticksRun.tryAcquire(5, TimeUnit.SECONDS), "a tick ran");
            long reads = timed.tableReads(); // (that tick may have begun before the cancel)
            assertTrue(ticksRun.tryAcquire(5, TimeUnit.SECONDS), "a tick with nothing watched ran");
            assertEquals(reads, timed.tableReads(), "nothing watched: a tick reads nothing");
            assertEquals(1, timer.getQueue().size(), "and queues the next");
            assertEquals(0, gone.get());
            timed.close();
            assertTrue(timer.isShutdown(), "closing the probe stops its ticks");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void responsesYoungerThanTheMinimumAgeCostNoReadOfTheTables() throws IOException {
        AtomicLong now = new AtomicLong();
        ClientProbe frozen = new ClientProbe(List.of(tcp, tcp6), null, now::get);
        frozen.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "08"); // already closing
        frozen.scan();
        assertEquals(0, frozen.tableReads(), "a young watch alone is no reason to read the tables");
        assertEquals(0, gone.get());

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClientProbe.MIN_AGE_MS));
        frozen.scan();
        assertEquals(1, frozen.tableReads());
        assertEquals(1, gone.get(), "old enough: looked up, and found closing");
    }

    @Test
    void aCostlyScanStretchesTheWaitBeforeTheNextWithinBounds() {
        assertEquals(ClientProbe.PERIOD_MS, ClientProbe.nextPeriodMs(TimeUnit.MICROSECONDS.toNanos(300)));
        assertEquals(ClientProbe.PERIOD_MS, ClientProbe.nextPeriodMs(TimeUnit.MILLISECONDS.toNanos(20)));
        assertEquals(64 * ClientProbe.DUTY_FACTOR, ClientProbe.nextPeriodMs(TimeUnit.MILLISECONDS.toNanos(64)));
        assertTrue(64 * ClientProbe.DUTY_FACTOR > ClientProbe.PERIOD_MS, "64 ms, as measured with 29,000 sockets, stretches");
        assertEquals(ClientProbe.MAX_PERIOD_MS, ClientProbe.nextPeriodMs(TimeUnit.SECONDS.toNanos(3)));
    }

    @Test
    void aClosedProbeStopsItsThreadAndWatchesNothing() throws IOException {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        ClientProbe timed = new ClientProbe(List.of(tcp, tcp6), timer);
        timed.watch("127.0.0.1", 8080, "127.0.0.1", 5555, gone::incrementAndGet);
        timed.close();
        assertTrue(timer.isShutdown());
        timed.watch("127.0.0.1", 8080, "127.0.0.1", 5556, gone::incrementAndGet);
        list(tcp, "127.0.0.1", 8080, "127.0.0.1", 5555, "08");
        timed.scan();
        assertEquals(0, gone.get(), "nothing is reported after close");
        assertEquals(1, timed.watched(), "the watch from before close stays until its response cancels it");
    }

    /** Replaces the table's entries with one line for this connection (the server side), plus unrelated ones. */
    private static void list(Path table, String local, int localPort, String remote, int remotePort, String state)
            throws IOException {
        List<String> keys = ClientProbe.keys(local, localPort, remote, remotePort);
        String key = table.getFileName().toString().equals("tcp6") ? keys.get(1) : keys.get(0);
        assertTrue(key.contains(" "));
        String other = ClientProbe.keys(remote, remotePort, local, localPort).get(0); // the client's own socket
        Files.writeString(table, HEADER + "\n"
                + "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 1 1 0 100 0 0 10 0\n"
                + "   1: " + key + " " + state + " 00000000:00000000 00:00000000 00000000  1000  0 2 1 0 20 4 30 10 -1\n"
                + "   2: " + other + " 01 00000000:00000000 00:00000000 00000000  1000  0 3 1 0 20 4 30 10 -1\n");
    }
}
