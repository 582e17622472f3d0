package dev.switchboard.it;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * A fault-injecting fake vendor on raw sockets (RELIABILITY.md, "Testing on one machine"): a real loopback server on
 * 127.0.0.1 and an ephemeral port that reads each HTTP/1.1 request itself, so a {@link Fault} can misbehave below
 * HTTP (RST, FIN mid-stream, split frames, stalls). One request per connection. Every connection is recorded as a
 * {@link FaultAttempt}: token, headers as received, body, arrival time, and how and when the gateway ended it.
 *
 * <p>The fault for a request is chosen, in order, by the {@link #route} function, by the token the gateway sent
 * ({@link #onToken}: the vendor credential is how a test tells the pool's tokens apart), by the queue
 * ({@link #enqueue}), then by {@link #always}. Connection-level faults ({@link #onAccept}) act before the request is
 * read. Thread-safe: an acceptor thread and one thread per connection.
 *
 * <p>A JUnit 5 extension like {@link FakeUpstream}: reset before each test, a test whose script threw fails, stopped
 * after the class. Started in the field initialiser so its {@link #port()} is known to {@code @Deployment}:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FaultUpstream upstream = FaultUpstream.start();
 * }</pre>
 */
public final class FaultUpstream implements AutoCloseable, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    /** What to do with a connection before reading anything from it. */
    public enum AcceptFault {
        /** FIN at once. */
        CLOSE,
        /** RST at once. */
        RESET,
        /**
         * Keep the connection open and never read the request, until the next {@link #reset()} or {@link #stop()};
         * the gateway's end of it goes unrecorded (noticing it would mean reading).
         */
        NEVER_READ
    }

    private static final Fault UNSCRIPTED = Fault.status(500).json("{\"error\":{\"message\":"
            + "\"fault upstream: nothing scripted for this request\",\"type\":\"server_error\",\"param\":null,"
            + "\"code\":null}}");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ServerSocket server;
    private final ExecutorService threads;
    private final Set<FaultConnection> open = ConcurrentHashMap.newKeySet();
    private final List<FaultAttempt> attempts = new CopyOnWriteArrayList<>();
    private final Queue<AcceptFault> acceptFaults = new ConcurrentLinkedQueue<>();
    private final Queue<Fault> queue = new ConcurrentLinkedQueue<>();
    private final Map<String, Deque<Fault>> byToken = new ConcurrentHashMap<>();
    private final AtomicInteger nextIndex = new AtomicInteger();
    private volatile Function<FaultAttempt, Fault> router = attempt -> null;
    private volatile Fault fallback = UNSCRIPTED;
    private volatile boolean stopped;

    private FaultUpstream() throws IOException {
        String name = "fault-upstream-" + INSTANCES.incrementAndGet() + "-";
        AtomicInteger count = new AtomicInteger();
        threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, name + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = new ServerSocket(0, 128, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        threads.execute(this::acceptLoop);
    }

    /** Starts a new fault upstream on 127.0.0.1 and an ephemeral port. */
    public static FaultUpstream start() {
        try {
            return new FaultUpstream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fault upstream", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:port} (no trailing slash). */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public URI uri(String path) {
        return URI.create(baseUri() + path);
    }

    /** Requests carrying this token get these faults in order; the last one repeats. */
    public FaultUpstream onToken(String token, Fault... faults) {
        byToken.put(token, new ArrayDeque<>(List.of(faults)));
        return this;
    }

    /** Asked first for every request (by header, path, body…); null falls through. */
    public FaultUpstream route(Function<FaultAttempt, Fault> router) {
        this.router = router;
        return this;
    }

    /** Answers the next requests no route or token script claimed, one fault each, in order. */
    public FaultUpstream enqueue(Fault... faults) {
        queue.addAll(List.of(faults));
        return this;
    }

    /** Answers whatever nothing else claimed (default: a 500 marked unscripted). */
    public FaultUpstream always(Fault fault) {
        fallback = fault;
        return this;
    }

    /** The next connections, one each, get these before their request is read. */
    public FaultUpstream onAccept(AcceptFault... faults) {
        acceptFaults.addAll(List.of(faults));
        return this;
    }

    /** Every connection since the last {@link #reset()}, in accept order. */
    public List<FaultAttempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Waits until connection number {@code index} (0-based) has been accepted and returns it. */
    public FaultAttempt awaitAttempt(int index) {
        return Await.value("fault upstream connection #" + index + " (seen " + attempts.size() + ")",
                () -> attempts.size() > index ? attempts.get(index) : null, Await.DEFAULT);
    }

    /** Waits until connection {@code index} has a complete request and returns it. */
    public FaultAttempt awaitRequest(int index) {
        FaultAttempt attempt = awaitAttempt(index);
        Await.until("request on connection #" + index, attempt::hasRequest);
        return attempt;
    }

    /** Tokens in arrival order, one per request read: the rotation the gateway performed. */
    public List<String> tokens() {
        return attempts.stream().filter(FaultAttempt::hasRequest).map(FaultAttempt::token).toList();
    }

    /** Forgets scripts and recordings, and closes connections still held from an earlier test. */
    public void reset() {
        acceptFaults.clear();
        queue.clear();
        byToken.clear();
        router = attempt -> null;
        fallback = UNSCRIPTED;
        open.forEach(FaultConnection::close);
        attempts.clear();
        nextIndex.set(0);
    }

    /** Stops listening and closes every connection; idempotent. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(FaultConnection::close);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
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

    @Override
    public void afterEach(ExtensionContext context) {
        List<FaultAttempt> broken = attempts.stream().filter(a -> a.scriptFailure().isPresent()).toList();
        if (!broken.isEmpty()) {
            AssertionError failure = new AssertionError("fault upstream scripts failed: " + broken);
            broken.forEach(attempt -> failure.addSuppressed(attempt.scriptFailure().get()));
            throw failure;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void acceptLoop() {
        while (!stopped) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                if (!stopped) {
                    throw new UncheckedIOException("fault upstream accept failed", e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        FaultAttempt attempt = new FaultAttempt(nextIndex.getAndIncrement(), Instant.now(), socket.getPort());
        attempts.add(attempt);
        FaultConnection connection;
        try {
            connection = new FaultConnection(socket, attempt);
        } catch (IOException e) {
            return;
        }
        open.add(connection);
        try {
            AcceptFault acceptFault = acceptFaults.poll();
            if (acceptFault == AcceptFault.RESET) {
                connection.reset();
                return;
            }
            if (acceptFault == AcceptFault.NEVER_READ) {
                connection.awaitClosed(); // reading would tell when the gateway leaves, but it would also read
                return;
            }
            if (acceptFault == AcceptFault.CLOSE) {
                connection.fin();
            } else if (acceptFault == null) {
                connection.readRequest(REQUEST_TIMEOUT);
                choose(attempt).play(connection);
                if (!connection.isClosed()) {
                    connection.fin();
                }
            }
            connection.watchClient();
        } catch (EOFException gone) {
            connection.gatewayEnded(FaultAttempt.ClientEnd.FIN);
        } catch (SocketException | Fault.GatewayLeft gone) {
            if (!connection.isClosed()) {
                connection.gatewayEnded(FaultAttempt.ClientEnd.RESET);
            }
        } catch (IOException | RuntimeException | Error failure) {
            if (!stopped && !connection.isClosed()) {
                attempt.scriptFailed(failure);
            }
        } finally {
            connection.close();
            open.remove(connection);
        }
    }

    private Fault choose(FaultAttempt attempt) {
        Fault routed = router.apply(attempt);
        if (routed != null) {
            return routed;
        }
        Deque<Fault> script = attempt.token() == null ? null : byToken.get(attempt.token());
        if (script != null) {
            synchronized (script) {
                Fault fault = script.size() > 1 ? script.poll() : script.peek();
                if (fault != null) {
                    return fault;
                }
            }
        }
        Fault next = queue.poll();
        return next != null ? next : fallback;
    }
}
