package dev.switchboard.upstream;

import dev.switchboard.config.TimeoutsConfig;
import dev.switchboard.config.UpstreamConfig;
import dev.switchboard.vendor.UpstreamRequest;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one HttpClient 5 async client every upstream call goes through; application-scoped and thread-safe.
 *
 * <p>HttpClient's own retries, redirect following, cookies and content decompression are off: every retry is the
 * gateway's own decision (RELIABILITY.md), a redirect is never followed (no request may be steered to an address
 * that is not in the configuration), and transparent gunzip would buffer SSE. Connect timeouts are per platform,
 * looked up by the route's target host.
 */
public final class UpstreamClient implements AutoCloseable {
    /** Waiting longer than this for a pooled connection means the pool is exhausted (RELIABILITY.md: lease 2 s). */
    private static final Timeout POOL_LEASE_TIMEOUT = Timeout.ofSeconds(2);
    /**
     * httpcore keeps three buffers of this size per HTTP/1.1 connection, and a stream holds its connection for its
     * whole life. The 32 KiB default made them ~96 KB of the ~205 KB heap per open stream (BENCHMARKS.md heap dump);
     * SSE events are a few hundred bytes, and longer lines still accumulate across reads.
     */
    private static final int CONNECTION_BUFFER_BYTES = 8 * 1024;

    private final CloseableHttpAsyncClient client;
    private final PoolingAsyncClientConnectionManager connections;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param timeoutsByHost per upstream {@code scheme://host:port}, the timeouts of the platform that uses it
     */
    public UpstreamClient(UpstreamConfig config, Map<String, TimeoutsConfig> timeoutsByHost) {
        this.connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setConnectionConfigResolver(route -> connectionConfig(route, timeoutsByHost))
                // HTTP/1.1 to every upstream for now; HTTP/2 needs per-platform opt-in (performance issue).
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
        client.start();
    }

    private static ConnectionConfig connectionConfig(HttpRoute route, Map<String, TimeoutsConfig> timeoutsByHost) {
        TimeoutsConfig timeouts = timeoutsByHost.getOrDefault(route.getTargetHost().toURI(), TimeoutsConfig.DEFAULTS);
        return ConnectionConfig.custom()
                .setConnectTimeout(Timeout.ofMilliseconds(timeouts.connectMs()))
                .setSocketTimeout(Timeout.ofMilliseconds(timeouts.idleMs()))
                .build();
    }

    /** The key {@link #UpstreamClient} looks timeouts up by, for a configured base URL. */
    public static String hostKey(String baseUrl) {
        return HttpHost.create(java.net.URI.create(baseUrl)).toURI();
    }

    /**
     * Starts one exchange; the consumer hears the response and the callback hears the outcome exactly once.
     *
     * @param idleTimeoutMs longest upstream silence while waiting for or reading the response
     * @param onConnection told, on the I/O thread, the connection the request is written to; closing it is the one
     *     reliable way to abort the exchange (see {@link ConnectionTracker})
     * @return cancel it to abort an exchange that has no connection yet
     */
    public Future<Void> execute(UpstreamRequest upstreamRequest, long idleTimeoutMs,
            AsyncResponseConsumer<Void> consumer, FutureCallback<Void> callback,
            java.util.function.Consumer<org.apache.hc.core5.reactor.IOSession> onConnection) {
        SimpleRequestBuilder builder = SimpleRequestBuilder.post(upstreamRequest.uri());
        upstreamRequest.headers().forEach(builder::setHeader);
        AsyncRequestProducer producer = new BasicRequestProducer(builder.build(), new TrackingEntityProducer(
                AsyncEntityProducers.create(upstreamRequest.body(), ContentType.APPLICATION_JSON), onConnection));
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(POOL_LEASE_TIMEOUT)
                .setResponseTimeout(Timeout.ofMilliseconds(idleTimeoutMs))
                .setRedirectsEnabled(false)
                .build());
        inFlight.incrementAndGet();
        return client.execute(producer, consumer, null, context, new Counted(callback));
    }

    /** Exchanges handed to HttpClient whose outcome has not been reported yet, for leak checks and metrics. */
    public int exchangesInFlight() {
        return inFlight.get();
    }

    /** Counts an exchange out exactly once, whichever way HttpClient reports its end. */
    private final class Counted implements FutureCallback<Void> {
        private final FutureCallback<Void> delegate;
        private final AtomicBoolean ended = new AtomicBoolean();

        Counted(FutureCallback<Void> delegate) {
            this.delegate = delegate;
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
            }
        }
    }

    /** Leased and available connections, for leak checks and metrics. */
    public PoolStats poolStats() {
        return connections.getTotalStats();
    }

    @Override
    public void close() throws IOException {
        client.close(CloseMode.GRACEFUL);
    }
}
