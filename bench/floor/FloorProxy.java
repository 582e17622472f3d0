package bench.floor;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;

/**
 * The benchmark's floor (bench/run.sh, BENCH_FLOOR=1): the least an async Servlet proxy on the same Tomcat and the
 * same HttpClient 5 setup as the gateway can do per request — non-blocking read of the body, one pooled HTTP/1.1
 * exchange to the fake upstream with the token, non-blocking write of the answer (an SSE stream relayed chunk by
 * chunk) — and nothing else: no authentication, no parsing, no limits, no logging, no error handling worth the name.
 * Its CPU per request is what Tomcat and HttpClient cost on this machine; the gateway's own work is the difference.
 * Not part of the product.
 */
@WebServlet(urlPatterns = "/*", asyncSupported = true)
public final class FloorProxy extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private transient CloseableHttpAsyncClient client;
    private String upstream;
    private String token;

    @Override
    public void init() {
        upstream = System.getProperty("floor.upstream", "http://127.0.0.1:19101/v1/chat/completions");
        token = System.getProperty("floor.token", "bench-token");
        client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(10_000).setMaxConnPerRoute(10_000)
                        .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                        .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                        .build())
                .setHttp1Config(Http1Config.custom().setBufferSize(4 * 1024).build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(Runtime.getRuntime().availableProcessors()).setTcpNoDelay(true).build())
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement()
                .disableAuthCaching().disableContentCompression()
                .build();
        client.start();
    }

    @Override
    public void destroy() {
        client.close(CloseMode.IMMEDIATE);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        AsyncContext async = request.startAsync();
        ServletInputStream in = request.getInputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        in.setReadListener(new ReadListener() {
            private final byte[] buffer = new byte[4096];

            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return;
                    }
                    body.write(buffer, 0, n);
                }
            }

            @Override
            public void onAllDataRead() {
                forward(body.toByteArray(), async, response);
            }

            @Override
            public void onError(Throwable t) {
                async.complete();
            }
        });
    }

    private void forward(byte[] body, AsyncContext async, HttpServletResponse response) {
        SimpleHttpRequest upstreamRequest = SimpleRequestBuilder.post(upstream)
                .setHeader("Authorization", "Bearer " + token)
                .setBody(body, ContentType.APPLICATION_JSON)
                .build();
        Relay relay;
        try {
            relay = new Relay(async, response);
        } catch (IOException | IllegalStateException e) {
            async.complete();
            return;
        }
        client.execute(SimpleRequestProducer.create(upstreamRequest), relay, new FutureCallback<Void>() {
            @Override
            public void completed(Void result) {}

            @Override
            public void failed(Exception e) {
                relay.fail();
            }

            @Override
            public void cancelled() {
                relay.fail();
            }
        });
    }

    /**
     * The upstream's answer to the client, as the gateway would send it: a JSON body whole, with its length; an SSE
     * stream (text/event-stream) chunk by chunk, each flushed as it arrives, the status line going out with the first
     * chunk (as the gateway's commits with its first event). Non-blocking writes from the I/O thread, queued while the
     * client cannot take more; no flow control back to the upstream (the floor's streams are short).
     */
    private static final class Relay extends AbstractBinResponseConsumer<Void> implements WriteListener {
        private final AsyncContext async;
        private final HttpServletResponse response;
        private final ServletOutputStream out;
        private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        private ByteArrayOutputStream whole;
        private boolean streaming;
        private boolean needsFlush;
        private boolean ended;
        private boolean finished;

        Relay(AsyncContext async, HttpServletResponse response) throws IOException {
            this.async = async;
            this.response = response;
            this.out = response.getOutputStream();
            out.setWriteListener(this);
        }

        @Override
        protected synchronized void start(HttpResponse answer, ContentType contentType) {
            streaming = contentType != null && "text/event-stream".equalsIgnoreCase(contentType.getMimeType());
            response.setStatus(answer.getCode());
            response.setContentType(streaming ? "text/event-stream" : "application/json");
            whole = streaming ? null : new ByteArrayOutputStream(512);
        }

        @Override
        protected int capacityIncrement() {
            return Integer.MAX_VALUE;
        }

        @Override
        protected synchronized void data(ByteBuffer src, boolean endOfStream) {
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            if (streaming) {
                if (bytes.length > 0) {
                    pending.add(bytes);
                    needsFlush = true;
                }
            } else {
                whole.write(bytes, 0, bytes.length);
                if (endOfStream) {
                    byte[] all = whole.toByteArray();
                    response.setContentLength(all.length);
                    pending.add(all);
                }
            }
            ended = endOfStream;
            drain();
        }

        @Override
        protected Void buildResult() {
            return null;
        }

        @Override
        public void releaseResources() {}

        @Override
        public synchronized void onWritePossible() {
            drain();
        }

        @Override
        public synchronized void onError(Throwable t) {
            finish();
        }

        synchronized void fail() {
            if (!response.isCommitted()) {
                response.setStatus(502);
            }
            finish();
        }

        private void drain() {
            if (finished) {
                return;
            }
            try {
                while (!pending.isEmpty()) {
                    if (!out.isReady()) {
                        return;
                    }
                    out.write(pending.poll());
                }
                if (needsFlush) {
                    if (!out.isReady()) {
                        return;
                    }
                    needsFlush = false;
                    out.flush();
                }
                if (ended && out.isReady()) {
                    finish();
                }
            } catch (IOException | IllegalStateException e) {
                finish();
            }
        }

        private void finish() {
            if (!finished) {
                finished = true;
                async.complete();
            }
        }
    }
}
