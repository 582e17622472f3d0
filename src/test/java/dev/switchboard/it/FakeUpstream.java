package dev.switchboard.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake OpenAI-compatible vendor: a real HTTP/1.1 server on 127.0.0.1 (ephemeral port) that answers each request
 * with a scripted {@link Behaviour} (usually a {@link Reply}) and records every request and how it ended.
 *
 * <p>Embedded Tomcat and Jetty run in the test's JVM and WildFly in another JVM on the same machine; all of them reach
 * it on loopback. Each request runs on its own thread, so a script may block (latches, pauses) without holding up
 * other requests.
 *
 * <p>In a test class, as a JUnit 5 extension that resets it before each test, fails a test whose script threw, and
 * stops it after the class. Started in the field initialiser, so its {@link #port()} is known when the
 * {@code @Deployment} method writes the gateway's configuration:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FakeUpstream upstream = FakeUpstream.start();
 * }</pre>
 */
public final class FakeUpstream implements AutoCloseable, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    /** Answers one request. Runs on that request's own thread; may block; let the exchange's signals propagate. */
    @FunctionalInterface
    public interface Behaviour {
        void respond(UpstreamExchange exchange) throws Exception;
    }

    private static final Behaviour UNSCRIPTED = Reply.status(500)
            .json("{\"error\":{\"message\":\"fake upstream: no reply scripted for this request\","
                    + "\"type\":\"server_error\",\"param\":null,\"code\":null}}");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Queue<Behaviour> queue = new ConcurrentLinkedQueue<>();
    private final List<RecordedExchange> exchanges = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private volatile Behaviour fallback = UNSCRIPTED;
    private volatile Function<RecordedExchange, Behaviour> router = request -> null;

    private FakeUpstream() throws IOException {
        String name = "fake-upstream-" + INSTANCES.incrementAndGet() + "-";
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, name + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a new fake upstream on 127.0.0.1 and an ephemeral port. */
    public static FakeUpstream start() {
        ConnectionProbe.requireAccess();
        try {
            return new FakeUpstream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake upstream", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port} (no trailing slash). */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** {@code http://127.0.0.1:port} + {@code path}. */
    public URI uri(String path) {
        return URI.create(baseUri() + path);
    }

    /** Answers the next requests, one behaviour each, in order. */
    public FakeUpstream enqueue(Behaviour... behaviours) {
        queue.addAll(List.of(behaviours));
        return this;
    }

    /** Answers every request the router and the queue leave unanswered (default: a 500 marked unscripted). */
    public FakeUpstream always(Behaviour behaviour) {
        fallback = behaviour;
        return this;
    }

    /** Asked first for every request (e.g. by token or path); returning null falls through to the queue. */
    public FakeUpstream route(Function<RecordedExchange, Behaviour> router) {
        this.router = router;
        return this;
    }

    /** Every request since the last {@link #reset()}, in arrival order. */
    public List<RecordedExchange> exchanges() {
        return List.copyOf(exchanges);
    }

    public int requestCount() {
        return exchanges.size();
    }

    /** Waits until request number {@code index} (0-based) has arrived and returns it. */
    public RecordedExchange awaitExchange(int index, Duration timeout) {
        return Await.value("upstream request #" + index + " (seen " + exchanges.size() + ")",
                () -> exchanges.size() > index ? exchanges.get(index) : null, timeout);
    }

    public RecordedExchange awaitExchange(int index) {
        return awaitExchange(index, Await.DEFAULT);
    }

    /** Requests answered by the default 500 because nothing was scripted for them. */
    public List<RecordedExchange> unscripted() {
        return exchanges.stream().filter(exchange -> !exchange.scripted()).toList();
    }

    /** Forgets scripts and recordings; exchanges still running finish on their own. */
    public void reset() {
        queue.clear();
        fallback = UNSCRIPTED;
        router = request -> null;
        exchanges.clear();
        nextIndex.set(0);
    }

    /** Stops listening, closes every connection and ends running exchanges (STOPPED). */
    public void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopped.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    /** A script that threw is a broken test, even when the gateway coped with the resulting connection loss. */
    @Override
    public void afterEach(ExtensionContext context) {
        List<RecordedExchange> broken = exchanges.stream()
                .filter(exchange -> exchange.ending().orElse(null) == RecordedExchange.Ending.FAILED).toList();
        if (!broken.isEmpty()) {
            AssertionError failure = new AssertionError("fake upstream scripts failed: " + broken);
            broken.forEach(exchange -> exchange.cause().ifPresent(failure::addSuppressed));
            throw failure;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /**
     * Runs the chosen behaviour and records how it ended. Every ending but COMPLETED leaves the handler by throwing:
     * that is the JDK server's only way to close a connection without finishing the response, and it keeps no broken
     * connection around for reuse.
     */
    private void handle(HttpExchange http) throws IOException {
        RecordedExchange recorded = record(http);
        exchanges.add(recorded);
        UpstreamExchange exchange = new UpstreamExchange(http, recorded, stopped);
        try {
            choose(recorded).respond(exchange);
            exchange.finish();
        } catch (UpstreamExchange.Abort abort) {
            recorded.end(RecordedExchange.Ending.ABORTED, null);
            throw abort;
        } catch (UpstreamExchange.ClientGone gone) {
            recorded.end(RecordedExchange.Ending.CLIENT_GONE, gone.getCause());
            throw gone;
        } catch (UpstreamExchange.Stopped | InterruptedException stop) {
            recorded.end(RecordedExchange.Ending.STOPPED, null);
            throw new UpstreamExchange.Stopped();
        } catch (UpstreamExchange.ScriptTimeout timeout) {
            recorded.end(RecordedExchange.Ending.SCRIPT_TIMEOUT, timeout);
            throw timeout;
        } catch (Exception | AssertionError failure) {
            recorded.end(RecordedExchange.Ending.FAILED, failure);
            throw new IllegalStateException("fake upstream script failed", failure);
        }
        http.close();
        recorded.end(RecordedExchange.Ending.COMPLETED, null);
    }

    private RecordedExchange record(HttpExchange http) throws IOException {
        byte[] body;
        try (InputStream in = http.getRequestBody()) {
            body = in.readAllBytes();
        }
        URI uri = http.getRequestURI();
        return new RecordedExchange(nextIndex.getAndIncrement(), http.getRequestMethod(), uri.getRawPath(),
                uri.getRawQuery(), http.getRequestHeaders(), body, Instant.now(), http.getRemoteAddress());
    }

    private Behaviour choose(RecordedExchange recorded) {
        Behaviour routed = router.apply(recorded);
        if (routed != null) {
            return routed;
        }
        Behaviour next = queue.poll();
        if (next != null) {
            return next;
        }
        if (fallback == UNSCRIPTED) {
            recorded.unscripted();
        }
        return fallback;
    }
}
