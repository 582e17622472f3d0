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
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;

/**
 * The benchmark's floor (bench/run.sh, BENCH_FLOOR=1): the least an async Servlet proxy on the same Tomcat and the
 * same HttpClient 5 setup as the gateway can do per request — non-blocking read of the body, one pooled HTTP/1.1
 * exchange to the fake upstream with the token, non-blocking write of the answer — and nothing else: no
 * authentication, no parsing, no limits, no logging, no error handling worth the name. Its CPU per request is what
 * Tomcat and HttpClient cost on this machine; the gateway's own work is the difference. Not part of the product.
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
                .setHttp1Config(Http1Config.custom().setBufferSize(8 * 1024).build())
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
        client.execute(SimpleRequestProducer.create(upstreamRequest), SimpleResponseConsumer.create(),
                new FutureCallback<SimpleHttpResponse>() {
                    @Override
                    public void completed(SimpleHttpResponse answer) {
                        response.setStatus(answer.getCode());
                        response.setContentType("application/json");
                        byte[] bytes = answer.getBodyBytes();
                        response.setContentLength(bytes.length);
                        write(bytes, async, response);
                    }

                    @Override
                    public void failed(Exception e) {
                        response.setStatus(502);
                        async.complete();
                    }

                    @Override
                    public void cancelled() {
                        response.setStatus(502);
                        async.complete();
                    }
                });
    }

    private static void write(byte[] bytes, AsyncContext async, HttpServletResponse response) {
        try {
            ServletOutputStream out = response.getOutputStream();
            out.setWriteListener(new WriteListener() {
                private boolean written;

                @Override
                public void onWritePossible() throws IOException {
                    if (!written) {
                        written = true;
                        out.write(bytes);
                    }
                    if (out.isReady()) {
                        async.complete();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    async.complete();
                }
            });
        } catch (IOException | IllegalStateException e) {
            async.complete();
        }
    }
}
