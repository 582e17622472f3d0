package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.it.SoakClient.Behaviour;
import dev.switchboard.it.SoakClient.Kind;
import dev.switchboard.it.SoakClient.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mixed-fault soak (issue #5): {@value #WORKERS} clients at once, for {@code -Dsoak.seconds} (default
 * {@value #DEFAULT_SECONDS}), send a random mix of streaming and whole-body requests through a router with failover
 * and straight to a faulty platform, while the fake vendor rate-limits, answers 5xx and HTML, resets, stalls past the
 * first-byte timeout and breaks streams after commit, and the clients read slowly, stop reading or leave mid-stream.
 *
 * <p>Every request must end in a defined outcome ({@link SoakClient}): a complete stream or body, an OpenAI-shaped
 * error status, an in-band error event, or the client's own departure. After a warm-up quarter and again at the end,
 * the load stops, and the gateway must be idle (no exchange, leased or pending connection, timer task) with its
 * thread count and heap after a full GC flat between the two. Thread and heap figures come from
 * {@code /healthz/stats} of the gateway's own JVM; for the embedded containers, which share this JVM, the threads this
 * test starts are taken out, and their heap (the fake upstream's recordings) is dropped at each checkpoint.
 *
 * <p>No assertion on speed: the figures are printed, and only leaks, lost requests and growth fail the test.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SoakIT {
    static final int WORKERS = 50;
    static final int DEFAULT_SECONDS = 40;
    /** The gateway's own bounds make every request end well before this; past it a request is a hang. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Threads the gateway may have gained between the checkpoints (container pools settle at their own pace). */
    private static final int THREAD_MARGIN = 15;
    /** Heap after GC the gateway may have gained between the checkpoints. */
    private static final long HEAP_MARGIN_BYTES = 24L * 1024 * 1024;
    /** Upstream connections at most, so the fake vendor (a thread per connection) stays bounded too. */
    private static final int MAX_UPSTREAM_CONNECTIONS = 120;
    private static final List<String> TEST_THREADS = List.of("fault-upstream-", "soak-", "HttpClient-");

    @RegisterExtension
    static final FaultUpstream upstream = FaultUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        String base = upstream.baseUri().toString();
        String platform = """
                { "type": "openai", "baseUrl": "%s/%s/v1", "tokens": [%s],
                  "timeouts": { "firstByteMs": 1000, "idleMs": 1500, "heartbeatMs": 500 },
                  "retry": { "maxRetries": 2, "backoffBaseMs": 10, "backoffCapMs": 100, "deadlineMs": 10000,
                             "cooldownMinMs": 200, "cooldownDefaultMs": 500, "cooldownMaxMs": 1000,
                             "ejectAfterFailures": 3, "ejectMs": 200, "ejectMaxMs": 1000, "disabledMs": 1000 } }""";
        Deployments.writeConfig("""
                {
                  "licenses": [ { "name": "it-all", "keySha256": "%s", "platforms": ["*"] } ],
                  "platforms": { "primary": %s, "backup": %s },
                  "routers": { "soak": { "platforms": ["primary", "backup"] } },
                  "upstream": { "maxConnections": %d },
                  "limits": { "maxAuthFailures": 10000, "callerRequestsPerMinute": 1000000 }
                }
                """.formatted(Canaries.sha256(Canaries.LICENSE_ALL),
                platform.formatted(base, "primary", quoted(SoakFaults.OK_PRIMARY, SoakFaults.RATE_LIMITED,
                        SoakFaults.FLAKY, SoakFaults.RESETS, SoakFaults.STALLS)),
                platform.formatted(base, "backup", quoted(SoakFaults.OK_BACKUP_1, SoakFaults.OK_BACKUP_2)),
                MAX_UPSTREAM_CONNECTIONS));
        return Deployments.war();
    }

    @Test
    void mixedFaultsForAWhileLoseNoRequestAndLeakNothing() throws Exception {
        int seconds = Integer.getInteger("soak.seconds", DEFAULT_SECONDS);
        long warmUpMillis = seconds * 1000L / 4;
        Api api = new Api(deployment);
        SoakClient client = new SoakClient(URI.create(deployment.toString()), REQUEST_TIMEOUT);
        Tally tally = new Tally();

        long logStart = GatewayLog.lineCount();
        upstream.route(SoakFaults::choose);
        run(client, tally, warmUpMillis);
        Checkpoint warm = checkpoint(api, tally, "warm-up");
        run(client, tally, seconds * 1000L - warmUpMillis);
        Checkpoint end = checkpoint(api, tally, "end");

        String report = "soak on " + Deployments.container() + ", " + WORKERS + " clients, " + seconds + " s: "
                + tally.total() + " requests " + tally.counts() + "\n  threads " + warm.threads + " -> " + end.threads
                + ", heap after GC " + mib(warm.heapAfterGc) + " -> " + mib(end.heapAfterGc) + " MiB (" + end.gcHow
                + "), fake upstream connections " + tally.upstreamConnections;
        System.out.println(report);
        if (tally.lostCount() > 0) {
            fail(tally.lostCount() + " lost request(s); " + report + "\n" + SoakEvidence.keep(tally.lost()));
        }
        assertTrue(tally.count(Kind.STREAM_COMPLETE) > 0 && tally.count(Kind.BODY_COMPLETE) > 0
                && tally.count(Kind.ERROR_STATUS) > 0 && tally.count(Kind.IN_BAND_ERROR) > 0
                && tally.count(Kind.CLIENT_LEFT) > 0, "every kind of outcome happened; " + report);
        // Every soak request is the gateway's to answer: an error page means a container found a request it thought
        // nobody had ended (Tomcat did, for clients that left mid-stream, until ClientStream completed in onError).
        List<String> errorPages = GatewayLog.linesSince(logStart, "error page for request_id=");
        assertTrue(errorPages.isEmpty(), errorPages.size() + " error-page dispatches, e.g. "
                + errorPages.subList(0, Math.min(5, errorPages.size())) + "; " + report);
        assertTrue(end.threads <= warm.threads + THREAD_MARGIN, "threads grew; " + report);
        assertTrue(end.heapAfterGc <= warm.heapAfterGc + HEAP_MARGIN_BYTES, "heap after GC grew; " + report);
    }

    /** {@link #WORKERS} clients send requests until {@code millis} have passed, each finishing its last one. */
    private static void run(SoakClient client, Tally tally, long millis) throws Exception {
        AtomicInteger names = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS, task -> {
            Thread thread = new Thread(task, "soak-worker-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            running.add(workers.submit(() -> {
                while (System.nanoTime() - until < 0) {
                    tally.add(oneRequest(client));
                }
            }));
        }
        workers.shutdown();
        for (Future<?> worker : running) {
            worker.get(millis + 2 * REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // rethrows a worker's bug
        }
        tally.upstreamConnections += upstream.attempts().size();
    }

    /** One request with a random path, mode and client behaviour. */
    private static Outcome oneRequest(SoakClient client) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // The router fails over to the healthy backup; the primary alone lets its faults reach the client.
        String path = random.nextInt(10) < 7 ? "/soak/v1/chat/completions" : "/primary/v1/chat/completions";
        boolean stream = random.nextInt(10) < 7;
        Behaviour behaviour = Behaviour.NORMAL;
        int roll = random.nextInt(100);
        if (stream) {
            behaviour = roll < 8 ? Behaviour.SLOW_READER : roll < 14 ? Behaviour.STALLS : roll < 20 ? Behaviour.LEAVES
                    : roll < 26 ? Behaviour.ABORTS : roll < 28 ? Behaviour.ABORTS_AT_ONCE
                    : roll < 30 ? Behaviour.STALLS_SMALL_BUFFER : Behaviour.NORMAL;
        } else if (roll < 4) {
            behaviour = Behaviour.ABORTS_AT_ONCE;
        }
        boolean longAnswer = behaviour == Behaviour.SLOW_READER || behaviour == Behaviour.STALLS;
        String text = behaviour == Behaviour.STALLS_SMALL_BUFFER ? SoakFaults.HUGE
                : longAnswer ? SoakFaults.LONG : "hello";
        // A huge answer comes from the healthy backup only, which the router reaches when the primary fails.
        String json = Api.chat("gpt-soak", stream, text);
        return client.exchange(path, Canaries.LICENSE_ALL, json, stream, behaviour, 1 + random.nextInt(4),
                1000 + random.nextInt(1500));
    }

    /** Load stopped: the gateway must be idle; then its threads and its heap after a full collection. */
    private static Checkpoint checkpoint(Api api, Tally tally, String name) {
        Leaks.awaitNone(api);
        Await.until("no timer task left", () -> Leaks.stats(api).path("timerTasks").asInt(-1) == 0);
        failOnBrokenScripts();
        upstream.reset(); // its recordings are this JVM's heap, not the gateway's
        upstream.route(SoakFaults::choose);
        String gcHow = fullGc();
        JsonNode stats = Leaks.stats(api);
        int threads = stats.path("jvmThreads").asInt(-1) - (embedded() ? testThreads() : 0);
        long heap = stats.path("heapUsedAfterGcBytes").asLong(-1);
        System.out.println("soak checkpoint " + name + " on " + Deployments.container() + ": " + tally.total()
                + " requests so far, gateway threads " + threads + ", heap after GC " + mib(heap) + " MiB, stats "
                + stats);
        assertTrue(threads > 0 && heap > 0, "stats: " + stats);
        return new Checkpoint(threads, heap, gcHow);
    }

    private static void failOnBrokenScripts() {
        List<FaultAttempt> broken = upstream.attempts().stream().filter(a -> a.scriptFailure().isPresent()).toList();
        if (!broken.isEmpty()) {
            AssertionError failure = new AssertionError("fault upstream scripts failed: " + broken);
            broken.forEach(attempt -> failure.addSuppressed(attempt.scriptFailure().get()));
            throw failure;
        }
    }

    /**
     * A full collection in the gateway's JVM, so that the heap pools' collection usage is what is live: this JVM's
     * own for the embedded containers; for WildFly, {@code jcmd <pid> GC.run} on the server process this JVM started.
     */
    private static String fullGc() {
        if (embedded()) {
            System.gc(); // test code in the gateway's JVM; production code never does this
            return "System.gc() in this JVM";
        }
        ProcessHandle server = ProcessHandle.current().descendants()
                .filter(process -> process.info().commandLine().orElse("").contains("jboss-modules.jar"))
                .findFirst().orElseThrow(() -> new AssertionError("no WildFly process among this JVM's children"));
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            Process gc = new ProcessBuilder(jcmd, Long.toString(server.pid()), "GC.run").redirectErrorStream(true)
                    .start();
            String output = new String(gc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
                throw new AssertionError("jcmd GC.run failed: " + output);
            }
            return "jcmd " + server.pid() + " GC.run";
        } catch (IOException e) {
            throw new AssertionError("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean embedded() {
        return !Deployments.container().equals("wildfly");
    }

    /** Live threads of this test in this JVM: the fake upstream's, the workers' and the JDK HTTP client's. */
    private static int testThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> TEST_THREADS.stream().anyMatch(thread.getName()::startsWith)).count();
    }

    private static String quoted(String... tokens) {
        return String.join(", ", java.util.Arrays.stream(tokens).map(token -> "\"" + token + "\"").toList());
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024));
    }

    private record Checkpoint(int threads, long heapAfterGc, String gcHow) {}

    /** Outcomes counted by label; lost requests kept (the first 20) with what was sent and received. */
    private static final class Tally {
        private final Map<String, LongAdder> byLabel = new ConcurrentHashMap<>();
        private final Map<Kind, LongAdder> byKind = new ConcurrentHashMap<>();
        private final Queue<Outcome> lost = new ConcurrentLinkedQueue<>();
        private final AtomicInteger lostCount = new AtomicInteger();
        volatile long upstreamConnections;

        void add(Outcome outcome) {
            byLabel.computeIfAbsent(outcome.label(), label -> new LongAdder()).increment();
            byKind.computeIfAbsent(outcome.kind(), kind -> new LongAdder()).increment();
            if (outcome.kind() == Kind.LOST && lostCount.incrementAndGet() <= 20) {
                lost.add(outcome);
            }
        }

        long count(Kind kind) {
            LongAdder count = byKind.get(kind);
            return count == null ? 0 : count.sum();
        }

        long total() {
            return byKind.values().stream().mapToLong(LongAdder::sum).sum();
        }

        Map<String, Long> counts() {
            Map<String, Long> counts = new TreeMap<>();
            byLabel.forEach((label, count) -> counts.put(label, count.sum()));
            return counts;
        }

        List<Outcome> lost() {
            return List.copyOf(lost);
        }

        int lostCount() {
            return lostCount.get();
        }
    }
}
