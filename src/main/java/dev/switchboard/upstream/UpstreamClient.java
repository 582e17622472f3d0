package dev.switchboard.upstream;

import dev.switchboard.config.TimeoutsConfig;
import dev.switchboard.config.UpstreamConfig;
import dev.switchboard.vendor.UpstreamRequest;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.async.MinimalH2AsyncClient;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one HttpClient 5 async client every upstream call goes through; application-scoped and thread-safe.
 *
 * <p>HttpClient's own retries, redirect following, cookies and content decompression are off: every retry is the
 * gateway's own decision (RELIABILITY.md), a redirect is never followed (no request may be steered to an address
 * that is not in the configuration), and transparent gunzip would buffer SSE. Connect timeouts are per platform,
 * looked up by the route's target host.
 *
 * <p>Two protocols. Over HTTP/1.1 (the default) a stream holds one pooled connection for its whole life. Upstream
 * hosts whose platform opts in to {@code http2} go through a second, HTTP/2-only client instead, which multiplexes
 * every exchange to a host as a stream on one shared connection (h2c with prior knowledge for {@code http}, ALPN
 * {@code h2} for {@code https}). HttpClient's {@code MinimalH2AsyncClient} is used for that, not the full
 * {@code H2AsyncClientBuilder} client and not the pooling manager's connection sharing: in HttpClient 5.6.5 both of
 * those discard the whole connection when one exchange fails or is cancelled
 * ({@code InternalH2AsyncExecRuntime.discardEndpoint} closes the session; {@code H2SharingConnPool} releases a
 * non-reusable entry to the pool, which closes it), so one client leaving would end every sibling stream. The
 * minimal client's only exchange handler does not touch the connection: a cancel resets just that stream
 * (RST_STREAM, RFC 9113 section 6.4) and leaves the connection to the others.
 */
public final class UpstreamClient implements AutoCloseable {
    /** Waiting longer than this for a pooled connection means the pool is exhausted (RELIABILITY.md: lease 2 s). */
    private static final Timeout POOL_LEASE_TIMEOUT = Timeout.ofSeconds(2);
    /**
     * httpcore keeps three buffers of this size per HTTP/1.1 connection, and a stream holds its connection for its
     * whole life. The 32 KiB default made them ~96 KB of the ~205 KB heap per open stream (BENCHMARKS.md heap dump);
     * 8 → 4 KiB took another 11 KB off (116.5 → 105.4 KB at 2,000 streams). SSE events are a few hundred bytes, and
     * longer lines or bodies still accumulate across reads: a large body costs more reads, not a failure.
     */
    private static final int CONNECTION_BUFFER_BYTES = 4 * 1024;

    /**
     * Our receive window per HTTP/2 stream (RFC 9113 section 6.9.2): the most a stream's upstream may send before
     * the gateway grants more, which it does only as the client drains ({@link UpstreamExchange}). The connection
     * window is kept open by httpcore, so a client that stops reading stalls its own stream and no other.
     */
    private static final int H2_STREAM_WINDOW = 64 * 1024;

    private final CloseableHttpAsyncClient client;
    private final PoolingAsyncClientConnectionManager connections;
    /** The HTTP/2 client, or {@code null} when no platform opts in (no extra I/O threads then). */
    private final MinimalH2AsyncClient h2;
    private final Set<String> h2Hosts;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param timeoutsByHost per upstream {@code scheme://host:port}, the timeouts of the platform that uses it
     */
    public UpstreamClient(UpstreamConfig config, Map<String, TimeoutsConfig> timeoutsByHost) {
        this(config, timeoutsByHost, Set.of());
    }

    /**
     * @param timeoutsByHost per upstream {@code scheme://host:port}, the timeouts of the platform that uses it
     * @param http2Hosts     the upstream {@code scheme://host:port}s ({@link #hostKey}) to speak HTTP/2 to
     */
    public UpstreamClient(UpstreamConfig config, Map<String, TimeoutsConfig> timeoutsByHost, Set<String> http2Hosts) {
        this.connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setConnectionConfigResolver(route -> connectionConfig(route, timeoutsByHost))
                // The HTTP/2 hosts never come here (see h2 below).
                .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                .build();
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(connections)
                .setHttp1Config(Http1Config.custom().setBufferSize(CONNECTION_BUFFER_BYTES).build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(ioThreads).setTcpNoDelay(true).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setIOSessionListener(new ConnectionTracker())
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .setUserAgent("switchboard")
                .build();
        this.h2Hosts = Set.copyOf(http2Hosts);
        this.h2 = h2Hosts.isEmpty() ? null : http2Client(ioThreads, timeoutsByHost);
        client.start();
        if (h2 != null) {
            h2.start();
        }
    }

    /**
     * The minimal client has no retries, redirects, cookies, authentication or decompression to turn off, and no
     * idle-connection evictor: its pool's idle check goes by when a session was last leased, which would close a
     * connection whose long streams are all still running.
     */
    private static MinimalH2AsyncClient http2Client(int ioThreads, Map<String, TimeoutsConfig> timeoutsByHost) {
        H2Config h2Config = H2Config.custom()
                .setPushEnabled(false)
                .setInitialWindowSize(H2_STREAM_WINDOW)
                .build();
        MinimalH2AsyncClient h2 = HttpAsyncClients.createHttp2Minimal(h2Config,
                IOReactorConfig.custom().setIoThreadCount(ioThreads).setTcpNoDelay(true).build());
        h2.setConnectionConfigResolver(host -> http2ConnectionConfig(host, timeoutsByHost));
        return h2;
    }

    private static ConnectionConfig connectionConfig(HttpRoute route, Map<String, TimeoutsConfig> timeoutsByHost) {
        TimeoutsConfig timeouts = timeoutsByHost.getOrDefault(route.getTargetHost().toURI(), TimeoutsConfig.DEFAULTS);
        return ConnectionConfig.custom()
                .setConnectTimeout(Timeout.ofMilliseconds(timeouts.connectMs()))
                .setSocketTimeout(Timeout.ofMilliseconds(timeouts.idleMs()))
                .build();
    }

    /**
     * A socket timeout on a shared HTTP/2 connection ends every stream on it (httpcore answers it with GOAWAY and
     * fails them all), so it cannot be the per-stream idle timeout; {@link UpstreamExchange} watches each stream's
     * silence itself. The connection's own timeout is only a backstop for a dead peer, set past the streams' so that
     * a stream that went quiet reports {@code upstream_idle_timeout} on its own first.
     */
    private static ConnectionConfig http2ConnectionConfig(HttpHost host, Map<String, TimeoutsConfig> timeoutsByHost) {
        TimeoutsConfig timeouts = timeoutsByHost.getOrDefault(host.toURI(), TimeoutsConfig.DEFAULTS);
        return ConnectionConfig.custom()
                .setConnectTimeout(Timeout.ofMilliseconds(timeouts.connectMs()))
                .setSocketTimeout(Timeout.ofMilliseconds(2 * timeouts.idleMs()))
                .build();
    }

    /** The key {@link #UpstreamClient} looks timeouts up by, for a configured base URL. */
    public static String hostKey(String baseUrl) {
        return HttpHost.create(URI.create(baseUrl)).toURI();
    }

    /** True when exchanges to {@code uri}'s host are HTTP/2 streams on a shared connection. */
    public boolean multiplexes(URI uri) {
        return h2 != null && h2Hosts.contains(HttpHost.create(uri).toURI());
    }

    /**
     * Starts one exchange; the consumer hears the response and the callback hears the outcome exactly once.
     *
     * @param idleTimeoutMs longest upstream silence while waiting for or reading the response (HTTP/1.1: the socket
     *     timeout; an HTTP/2 caller watches for it itself, see {@link #http2ConnectionConfig})
     * @param onConnection told, on the I/O thread, the connection an HTTP/1.1 request is written to; closing it is the
     *     one reliable way to abort such an exchange (see {@link ConnectionTracker}). Never called for an HTTP/2
     *     exchange ({@link #multiplexes}): its connection carries other streams, and cancelling the returned future
     *     resets only this one (httpcore 5.4.4 sends that reset with the stream's next inbound frame; {@link
     *     UpstreamCall} resets a stream stalled by flow control at once)
     * @return cancel it to abort an exchange that has no connection yet, or any HTTP/2 exchange
     */
    public Future<Void> execute(UpstreamRequest upstreamRequest, long idleTimeoutMs,
            AsyncResponseConsumer<Void> consumer, FutureCallback<Void> callback,
            Consumer<IOSession> onConnection) {
        SimpleRequestBuilder builder = SimpleRequestBuilder.post(upstreamRequest.uri());
        upstreamRequest.headers().forEach(builder::setHeader);
        var body = AsyncEntityProducers.create(upstreamRequest.body(), ContentType.APPLICATION_JSON);
        HttpClientContext context = HttpClientContext.create();
        if (multiplexes(upstreamRequest.uri())) {
            builder.setHeader("User-Agent", "switchboard");
            AtomicReference<DataStreamChannel> stream = new AtomicReference<>();
            inFlight.incrementAndGet();
            return h2.execute(new BasicRequestProducer(builder.build(), new TrackingEntityProducer(body, stream::set)),
                    consumer, null, context, new Counted(callback, () -> wakeConnection(stream.get())));
        }
        AsyncRequestProducer producer = new BasicRequestProducer(builder.build(),
                new TrackingEntityProducer(body, channel -> {
                    IOSession session = ConnectionTracker.current();
                    if (session != null) {
                        onConnection.accept(session);
                    }
                }));
        context.setRequestConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(POOL_LEASE_TIMEOUT)
                .setResponseTimeout(Timeout.ofMilliseconds(idleTimeoutMs))
                .setRedirectsEnabled(false)
                .build());
        inFlight.incrementAndGet();
        return client.execute(producer, consumer, null, context, new Counted(callback, null));
    }

    /**
     * Asks for an output turn on the connection an HTTP/2 exchange ran on. Requests beyond the server's
     * SETTINGS_MAX_CONCURRENT_STREAMS wait in the connection's command queue, and httpcore 5.4.4 looks at that queue
     * only on an output turn ({@code AbstractH2StreamMultiplexer.onOutput}), not when a stream closes: without this, a
     * waiting request would sit until something else happened to write on the connection.
     */
    private static void wakeConnection(DataStreamChannel stream) {
        if (stream == null) {
            return;
        }
        try {
            stream.requestOutput();
        } catch (RuntimeException closed) {
            // The connection is gone (CancelledKeyException and the like): nothing waits on it any more.
        }
    }

    /** Exchanges handed to HttpClient whose outcome has not been reported yet, for leak checks and metrics. */
    public int exchangesInFlight() {
        return inFlight.get();
    }

    /** Counts an exchange out exactly once, whichever way HttpClient reports its end. */
    private final class Counted implements FutureCallback<Void> {
        private final FutureCallback<Void> delegate;
        private final Runnable afterEnd;
        private final AtomicBoolean ended = new AtomicBoolean();

        /** @param afterEnd run once the exchange is counted out, or {@code null} */
        Counted(FutureCallback<Void> delegate, Runnable afterEnd) {
            this.delegate = delegate;
            this.afterEnd = afterEnd;
        }

        @Override
        public void completed(Void result) {
            end();
            delegate.completed(result);
        }

        @Override
        public void failed(Exception cause) {
            end();
            delegate.failed(cause);
        }

        @Override
        public void cancelled() {
            end();
            delegate.cancelled();
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
                if (afterEnd != null) {
                    afterEnd.run();
                }
            }
        }
    }

    /** Leased and available connections, for leak checks and metrics. */
    public PoolStats poolStats() {
        return connections.getTotalStats();
    }

    @Override
    public void close() throws IOException {
        try {
            client.close(CloseMode.GRACEFUL);
        } finally {
            if (h2 != null) {
                h2.close(CloseMode.GRACEFUL);
            }
        }
    }
}
