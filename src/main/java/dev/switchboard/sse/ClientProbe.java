package dev.switchboard.sse;

import jakarta.servlet.ServletRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Application-scoped (close it with the application): notices a client that closed its connection while its response is not committed yet — while
 * the gateway waits for the upstream's first byte, holds a stream's first events in its startup buffer, or backs off
 * between attempts — so that the attempt is cancelled and not retried for nobody (RELIABILITY.md: "client went away:
 * stop at once").
 *
 * <p>Why this exists: the Servlet API has no client-close notification (jakartaee/servlet issue #44). Once the
 * request body is read, Tomcat 10.1, Jetty 12 and Undertow (WildFly 39) stop reading the connection, so a client's
 * FIN or RST raises neither {@code AsyncListener.onError} nor a read event, and before commit the gateway has nothing
 * to write that could fail (any byte would commit the status line). After commit {@link ClientStream}'s heartbeat
 * finds such clients by a failed write; before commit this probe does.
 *
 * <p>How: the kernel knows. About every {@value #PERIOD_MS} ms, while at least one response has waited
 * {@value #MIN_AGE_MS} ms or more without starting (and only then), one pass over
 * Linux's socket tables ({@code /proc/net/tcp} and {@code /proc/net/tcp6}) looks up each watched connection by its
 * four-tuple (from the portable {@code ServletRequest.getLocalAddr/Port} and {@code getRemoteAddr/Port}). The server
 * side of a connection whose client sent FIN sits in {@code CLOSE_WAIT}; after an RST it leaves the table (judged
 * after two scans, since a read of the table under churn can miss an entry). This works
 * the same under every container, reads nothing from the socket (so no byte of a pipelined next request is consumed,
 * and TLS does not matter) and needs no container internals. Per-container alternatives were weighed: re-arming read
 * interest after the body, or peeking at the socket, needs each container's private I/O classes (NIO poller, Jetty's
 * {@code fillInterested}, XNIO read setter) and a non-blocking read there consumes the next pipelined request.
 *
 * <p>Treating a FIN as "gone" is what nginx does for proxied requests (its {@code recv(MSG_PEEK)} check of the client
 * connection): a client that half-closes its side after sending a request is not supported before commit.
 *
 * <p>Guards (no detection, never a false alarm, never a failure): not Linux or the tables unreadable → disabled; an
 * address that is not an IP literal → not watched; a four-tuple never seen {@code ESTABLISHED} (a front proxy's
 * address rewritten into the request by a valve or customizer) → never reported as gone for being absent. The price:
 * a client that resets its connection (RST, rather than the usual FIN) before any scan has seen it is not noticed
 * before the attempt ends, as before this probe existed.
 *
 * <p>Threads: {@link #watch} on any thread (it only reads strings from the request: call it on the container thread
 * that owns the request); scans and {@code onGone} callbacks on the probe's own thread.
 *
 * <p>Cost: the kernel generates the whole table on every read, TIME_WAIT sockets included, so a scan costs about
 * 2 µs of kernel CPU per socket of the machine: measured 64 ms with ~29,000 TIME_WAIT sockets listed, 125 ms with
 * 9,000 proxied connections more. Hence the own thread (a scan must not hold up the shared timer's heartbeats and
 * deadlines) and a duty cycle: the next scan waits {@value #DUTY_FACTOR} times as long as the last one took, at
 * least {@value #PERIOD_MS} ms and at most {@value #MAX_PERIOD_MS} ms, so the probe uses at most about 5 % of one core;
 * on a machine with that many sockets a departure is noticed later, not at a higher price. Netlink {@code sock_diag}
 * could look up exactly the watched sockets, but Java 17 has no netlink socket without native code.
 */
public final class ClientProbe implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ClientProbe.class);
    /** How often watched connections are checked at most: a client that left is noticed within about one period. */
    public static final long PERIOD_MS = 1000;
    /** The wait before the next scan is at least this many times the last scan's CPU time (≤ ~5 % of a core). */
    static final long DUTY_FACTOR = 20;
    /** A response not started after this long has its connection looked up; younger ones wait for the next scan. */
    static final long MIN_AGE_MS = PERIOD_MS / 2;
    /** The longest wait between scans, however costly the last one was. */
    static final long MAX_PERIOD_MS = 5_000;
    private static final List<Path> LINUX_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String ESTABLISHED = "01";
    /** Compiled once: a scan splits every line of the tables, thousands per second on a busy gateway. */
    private static final Pattern FIELDS = Pattern.compile("\\s+");
    private static final ThreadMXBean THREAD_CPU = ManagementFactory.getThreadMXBean();
    /** The kernel prints upper-case hex. */
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final Watch NOT_WATCHED = new Watch(null, null, 0, null, 0, () -> {}, 0);

    private final List<Path> tables;
    /** Where scans run (the probe's own thread); null in unit tests, which call {@link #scan()} themselves. */
    private final ScheduledExecutorService timer;
    /** The wait before the next scan, from the last scan's duration. */
    private volatile long periodMs = PERIOD_MS;
    private volatile long lastScanMicros;
    private final LongSupplier nanoClock;
    /** Reads of the tables so far (a scan with only young watches reads nothing). */
    private final AtomicLong tableReads = new AtomicLong();
    /**
     * What is watched. A watch costs the request thread only this set's add and remove: most responses commit well
     * within one period, so their table keys (address parsing and hex) are worked out by the scan, on the timer
     * thread, and only for the watches still there when it runs. (Working them out in {@link #watch} took about a
     * tenth of the gateway's CPU samples in the benchmark's JFR profile of whole-body requests.)
     */
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean disabled;

    ClientProbe(List<Path> tables, ScheduledExecutorService timer) {
        this(tables, timer, System::nanoTime);
    }

    ClientProbe(List<Path> tables, ScheduledExecutorService timer, LongSupplier nanoClock) {
        this.tables = List.copyOf(tables);
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.disabled = tables.stream().noneMatch(Files::isReadable);
        // Ticks run from the start, whether or not anything is watched, and each queues the next. Queuing the first
        // tick on the first watch instead (as this did before) woke the probe's sleeping thread on the request path
        // of every request after an idle spell; a tick with nothing watched costs a wake-up a second and reads
        // nothing (BENCHMARKS.md, sixth round).
        if (timer != null && !disabled) {
            queueTick();
        }
    }

    /**
     * The probe of this machine, scanning on a thread of its own; disabled (watches nothing, no thread) where there are
     * no tables.
     */
    public static ClientProbe start() {
        if (LINUX_TABLES.stream().noneMatch(Files::isReadable)) {
            LOG.info("no {}: a client leaving before its response starts is noticed only when the attempt ends",
                    LINUX_TABLES.get(0));
            return new ClientProbe(LINUX_TABLES, null);
        }
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread scanner = new Thread(runnable, "switchboard-client-probe");
            scanner.setDaemon(true);
            return scanner;
        });
        return new ClientProbe(LINUX_TABLES, thread);
    }

    /** Stops the probe's thread (the application is stopping); watches are never reported after this. */
    @Override
    public void close() {
        disabled = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** The CPU time the last scan took, in microseconds (0 before the first): for {@code /healthz/stats}. */
    public long lastScanMicros() {
        return lastScanMicros;
    }

    /** The current wait between scans, in milliseconds: {@value #PERIOD_MS} unless scans are costly. */
    public long periodMs() {
        return periodMs;
    }

    /** Scans that read the tables, since start: for {@code /healthz/stats} (tests wait for one to know they were seen). */
    public long tableReads() {
        return tableReads.get();
    }

    /** The wait after a scan that took {@code scanNanos}. */
    static long nextPeriodMs(long scanNanos) {
        return Math.max(PERIOD_MS, Math.min(MAX_PERIOD_MS, TimeUnit.NANOSECONDS.toMillis(scanNanos) * DUTY_FACTOR));
    }

    /** Watches the connection under {@code request} until {@link Watch#cancel()}; {@code onGone} runs at most once. */
    public Watch watch(ServletRequest request, Runnable onGone) {
        if (disabled) {
            return NOT_WATCHED;
        }
        return watch(request.getLocalAddr(), request.getLocalPort(), request.getRemoteAddr(), request.getRemotePort(),
                onGone);
    }

    Watch watch(String localAddr, int localPort, String remoteAddr, int remotePort, Runnable onGone) {
        if (disabled) {
            return NOT_WATCHED;
        }
        Watch watch = new Watch(this, localAddr, localPort, remoteAddr, remotePort, onGone, nanoClock.getAsLong());
        watches.add(watch);
        return watch;
    }

    private void queueTick() {
        try {
            timer.schedule(this::tick, periodMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the gateway is shutting down: no more ticks
        }
    }

    private void tick() {
        // CPU time, not wall time: on a busy machine a scan waits for a core, which costs nothing and must not stretch
        // the period.
        long start = THREAD_CPU.getCurrentThreadCpuTime();
        long reads = tableReads.get();
        try {
            scan();
        } catch (RuntimeException e) {
            LOG.warn("client connection probe failed: {}", e.toString());
        } finally {
            // Only a read of the tables says what the next one will cost; a tick that found only young watches
            // read nothing.
            if (tableReads.get() != reads) {
                long took = THREAD_CPU.getCurrentThreadCpuTime() - start;
                lastScanMicros = TimeUnit.NANOSECONDS.toMicros(took);
                periodMs = nextPeriodMs(took);
                LOG.debug("socket tables read: {} connection(s) watched, {} µs of CPU, next scan in {} ms",
                        watches.size(), lastScanMicros, periodMs);
            }
            queueTick();
        }
    }

    /** Connections watched now: 0 on an idle gateway (a leak check for {@code /healthz/stats}). */
    public int watched() {
        return watches.size();
    }

    /** One pass: reads the tables once, then reports every watched connection that is closing or gone. */
    void scan() {
        if (disabled || watches.isEmpty()) {
            return;
        }
        // Each watch under each of its keys (an IPv4 connection may be listed in tcp, or in tcp6 as ::ffff:a.b.c.d),
        // taken before the read: a watch added during it is simply not seen yet (and not judged gone: never seen).
        // Watches younger than MIN_AGE_MS wait for the next scan: most responses start within that, and a gateway
        // under a steady load of quick requests always has some uncommitted; reading the tables for them alone would
        // cost a full scan every period for nothing.
        long youngFrom = nanoClock.getAsLong() - TimeUnit.MILLISECONDS.toNanos(MIN_AGE_MS);
        Map<String, Watch> byKey = new HashMap<>();
        for (Watch watch : watches) {
            if (watch.sinceNanos - youngFrom > 0) {
                continue;
            }
            List<String> keys = watch.keys();
            if (keys.isEmpty()) {
                watch.cancel(); // not an IP literal: there is nothing to look up, ever
            }
            keys.forEach(key -> byKey.put(key, watch));
        }
        if (byKey.isEmpty()) {
            return;
        }
        // Which watches the tables list, and whether as ESTABLISHED.
        Map<Watch, Boolean> listed = new HashMap<>();
        int readable = 0;
        for (Path table : tables) {
            // A large buffer: the kernel generates the table per read() and may skip an entry where one read resumes
            // after sockets came and went; fewer reads, fewer such seams (and absence alone needs two scans, below).
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(Files.newInputStream(table), StandardCharsets.US_ASCII), 64 * 1024)) {
                readable++;
                reader.readLine(); // the header
                String line;
                while ((line = reader.readLine()) != null) {
                    String[] fields = FIELDS.split(line.trim(), 5);
                    if (fields.length < 4) {
                        continue;
                    }
                    Watch watch = byKey.get(fields[1] + ' ' + fields[2]);
                    if (watch != null) {
                        listed.merge(watch, ESTABLISHED.equals(fields[3]), Boolean::logicalOr);
                    }
                }
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", table, e.toString()); // tcp6 is absent where IPv6 is off
            }
        }
        // Counted once the read is over: whoever waits for a read to have seen a connection may act from then on.
        tableReads.incrementAndGet();
        if (readable == 0) {
            return; // nothing to judge by this time: never call a connection gone for want of a table
        }
        List<Watch> gone = new ArrayList<>();
        // Each watch once, though it is listed under one key per table it may appear in.
        for (Watch watch : new HashSet<>(byKey.values())) {
            Boolean established = listed.get(watch);
            if (Boolean.TRUE.equals(established)) {
                watch.seen = true;
                watch.misses = 0;
            } else if (established != null) {
                gone.add(watch); // listed, but CLOSE_WAIT (the client sent FIN) or another closing state
            } else if (watch.seen && ++watch.misses >= 2) {
                gone.add(watch); // seen, then missing twice in a row: reset (one miss may be a seam of the read)
            }
        }
        for (Watch watch : gone) {
            watch.fire();
        }
    }

    /**
     * The keys under which the tables list this connection: "local remote" as the kernel prints them, each address
     * as 32-bit words of hex in the machine's byte order, then ":" and the port in hex. Empty when an address is not
     * an IP literal (nothing to look up; never a DNS lookup).
     */
    static List<String> keys(String localAddr, int localPort, String remoteAddr, int remotePort) {
        byte[] local = literal(localAddr);
        byte[] remote = literal(remoteAddr);
        if (local == null || remote == null || local.length != remote.length || localPort <= 0 || remotePort <= 0
                || localPort > 0xFFFF || remotePort > 0xFFFF) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(2);
        keys.add(hex(local, localPort) + ' ' + hex(remote, remotePort));
        if (local.length == 4) {
            // A dual-stack listening socket (Java's default) lists its IPv4 connections in tcp6, v4-mapped.
            keys.add(hex(mapped(local), localPort) + ' ' + hex(mapped(remote), remotePort));
        }
        return keys;
    }

    private static byte[] literal(String address) {
        if (address == null) {
            return null;
        }
        String bare = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        int scope = bare.indexOf('%');
        if (scope >= 0) {
            bare = bare.substring(0, scope);
        }
        // Only literals: InetAddress.getByName would resolve a host name.
        if (bare.isEmpty() || !bare.matches("[0-9A-Fa-f:.]+") || !(bare.contains(":") || bare.matches("[0-9.]+"))) {
            return null;
        }
        try {
            InetAddress parsed = InetAddress.getByName(bare);
            // A v4-mapped IPv6 literal parses as an IPv4 address (4 bytes): keyed like any IPv4 connection.
            return parsed.getAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] mapped(byte[] ipv4) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xFF;
        v6[11] = (byte) 0xFF;
        System.arraycopy(ipv4, 0, v6, 12, 4);
        return v6;
    }

    private static String hex(byte[] address, int port) {
        ByteBuffer words = ByteBuffer.wrap(address).order(ByteOrder.nativeOrder());
        StringBuilder hex = new StringBuilder(address.length * 2 + 5);
        while (words.hasRemaining()) {
            hex.append(HEX.toHexDigits(words.getInt()));
        }
        return hex.append(':').append(HEX.toHexDigits((short) port)).toString();
    }

    /** One watched connection. */
    public static final class Watch {
        private final ClientProbe probe;
        private final String localAddr;
        private final int localPort;
        private final String remoteAddr;
        private final int remotePort;
        private final Runnable onGone;
        private final long sinceNanos;
        private final AtomicBoolean over = new AtomicBoolean();
        /** Worked out by the first scan that finds this watch (scans run one at a time, on the timer thread). */
        private List<String> keys;
        /** Listed as ESTABLISHED by some scan: from then on, missing from the tables means reset. */
        private volatile boolean seen;
        /** Consecutive scans that did not list this connection since it was seen. Scans run one at a time. */
        private volatile int misses;

        private Watch(ClientProbe probe, String localAddr, int localPort, String remoteAddr, int remotePort,
                Runnable onGone, long sinceNanos) {
            this.sinceNanos = sinceNanos;
            this.probe = probe;
            this.localAddr = localAddr;
            this.localPort = localPort;
            this.remoteAddr = remoteAddr;
            this.remotePort = remotePort;
            this.onGone = onGone;
        }

        private List<String> keys() {
            if (keys == null) {
                keys = ClientProbe.keys(localAddr, localPort, remoteAddr, remotePort);
            }
            return keys;
        }

        /** Stops watching (the response committed or finished); {@code onGone} runs only if it had already begun. */
        public void cancel() {
            if (over.compareAndSet(false, true)) {
                forget();
            }
        }

        private void fire() {
            if (over.compareAndSet(false, true)) {
                forget();
                onGone.run();
            }
        }

        private void forget() {
            if (probe != null) {
                probe.watches.remove(this);
            }
        }
    }
}
