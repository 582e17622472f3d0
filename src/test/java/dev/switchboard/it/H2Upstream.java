package dev.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpConnection;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncServerExchangeHandler;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.ResponseChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.http2.frame.FrameType;
import org.apache.hc.core5.http2.frame.RawFrame;
import org.apache.hc.core5.http2.impl.nio.H2StreamListener;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.reactor.IOSessionListener;
import org.apache.hc.core5.reactor.ListenerEndpoint;

/**
 * A fake upstream that speaks only HTTP/2 over cleartext with prior knowledge (h2c, RFC 9113 section 3.3) on
 * 127.0.0.1: httpcore's own async HTTP/2 server, so frames, flow control and RST_STREAM are the real thing.
 *
 * <p>It counts the TCP connections it accepted and records every request as a {@link Stream}, which the test (or an
 * {@code onRequest} script) answers: a whole JSON body, or SSE events sent one by one, or an endless flood that writes
 * only as far as the client's flow-control window lets it. A stream knows whether the client reset it.
 *
 * <p>Answering never blocks: calls only queue bytes and ask httpcore for output, so they are safe from any thread,
 * including the server's I/O thread inside {@code onRequest}.
 */
public final class H2Upstream implements AutoCloseable {
    private final HttpAsyncServer server;
    private final int port;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    /** Open streams by connection and stream id, to match the RST_STREAM frames that arrive for them. */
    private final Map<String, Stream> byStreamId = new ConcurrentHashMap<>();
    private final AtomicInteger resetsReceived = new AtomicInteger();
    /** The stream whose request headers the (single) I/O thread is handing to a new handler; I/O thread only. */
    private String headersFor;
    private final Consumer<Stream> onRequest;

    private H2Upstream(int maxConcurrentStreams, Consumer<Stream> onRequest) {
        this.onRequest = onRequest;
        server = H2ServerBootstrap.bootstrap()
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
                // Requests name 127.0.0.1 as their authority; any other host would be answered 421 Misdirected.
                .setCanonicalHostName("127.0.0.1")
                .setH2Config(H2Config.custom().setMaxConcurrentStreams(maxConcurrentStreams).build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .setIOSessionListener(new ConnectionCounter())
                .setStreamListener(new FrameWatch())
                .register("*", Handler::new)
                .create();
        server.start();
        try {
            ListenerEndpoint endpoint = server.listen(
                    new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), URIScheme.HTTP)
                    .get(10, TimeUnit.SECONDS);
            port = ((InetSocketAddress) endpoint.getAddress()).getPort();
        } catch (IOException e) {
            server.close(CloseMode.IMMEDIATE);
            throw new UncheckedIOException(e);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            server.close(CloseMode.IMMEDIATE);
            throw new IllegalStateException("the h2c fake upstream did not start listening", e);
        }
    }

    /** An h2c server whose requests the test answers itself (see {@link #awaitStream}). */
    public static H2Upstream start() {
        return start(1000, stream -> { });
    }

    /**
     * @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS it announces
     * @param onRequest            called once per request, on the server's I/O thread, when the request body is
     *                             complete; must not block
     */
    public static H2Upstream start(int maxConcurrentStreams, Consumer<Stream> onRequest) {
        return new H2Upstream(maxConcurrentStreams, onRequest);
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port} + {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** TCP connections accepted so far. */
    public int connectionsAccepted() {
        return connections.get();
    }

    /** RST_STREAM frames received from clients so far, on every connection. */
    public int resetsReceived() {
        return resetsReceived.get();
    }

    /** Requests whose body has fully arrived so far. */
    public int requestCount() {
        return streams.size();
    }

    /** The {@code index}-th request (from 0) once its body has fully arrived. */
    public Stream awaitStream(int index, Duration timeout) {
        Await.until("h2c request " + index + " arrived", () -> streams.size() > index, timeout);
        return streams.get(index);
    }

    @Override
    public void close() {
        server.close(CloseMode.IMMEDIATE);
    }

    /** One request and its response: what came in, what was written, how it ended. Thread-safe. */
    public final class Stream {
        private final HttpRequest request;
        private final ResponseChannel responseChannel;
        private final HttpContext context;
        private final ByteArrayOutputStream requestBody = new ByteArrayOutputStream();
        private final CompletableFuture<Exception> reset = new CompletableFuture<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        // Guarded by this.
        private final Queue<ByteBuffer> pending = new ArrayDeque<>();
        private boolean endAfterPending;
        private boolean flood;
        private long written;
        private DataStreamChannel channel;
        /** The server's (single) I/O thread, which creates every stream in {@link Handler#handleRequest}. */
        private final Thread ioThread = Thread.currentThread();

        private Stream(HttpRequest request, ResponseChannel responseChannel, HttpContext context) {
            this.request = request;
            this.responseChannel = responseChannel;
            this.context = context;
        }

        public String path() {
            return request.getPath();
        }

        public String header(String name) {
            Header header = request.getFirstHeader(name);
            return header == null ? null : header.getValue();
        }

        public String body() {
            synchronized (this) {
                return requestBody.toString(StandardCharsets.UTF_8);
            }
        }

        /** Answers with {@code status} and a whole JSON body. */
        public void json(int status, String json) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            synchronized (this) {
                pending.add(ByteBuffer.wrap(bytes));
                endAfterPending = true;
            }
            send(status, new BasicEntityDetails(bytes.length, ContentType.APPLICATION_JSON));
        }

        /** Sends 200 and {@code text/event-stream} headers; events follow with {@link #event}. */
        public void startSse() {
            send(200, new BasicEntityDetails(-1, ContentType.create("text/event-stream")));
        }

        /** Sends one SSE event with {@code data} as its payload. */
        public void event(String data) {
            queue(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8), false);
        }

        /** Ends the response after everything queued so far. */
        public void end() {
            queue(new byte[0], true);
        }

        /**
         * Starts an SSE response that never ends and writes filler events as fast as the client's flow-control window
         * allows: what it has written is what the client let it write.
         */
        public void flood() {
            synchronized (this) {
                flood = true;
            }
            startSse();
        }

        /** Response body bytes httpcore has accepted for this stream (flow control permitting). */
        public synchronized long bytesWritten() {
            return written;
        }

        /** True once the client sent RST_STREAM for this stream. */
        public boolean wasReset() {
            return reset.isDone();
        }

        /** True once the response ended normally (END_STREAM sent). */
        public boolean hasEnded() {
            return ended.isDone();
        }

        /** Waits until the client resets this stream; fails if it ends some other way or not in time. */
        public void awaitReset(Duration timeout) {
            Await.until("the client reset h2c stream " + path(), () -> reset.isDone() || ended.isDone(), timeout);
            if (!reset.isDone()) {
                throw new AssertionError("the stream ended normally instead of being reset");
            }
        }

        private void queue(byte[] bytes, boolean thenEnd) {
            DataStreamChannel output;
            synchronized (this) {
                pending.add(ByteBuffer.wrap(bytes));
                endAfterPending |= thenEnd;
                output = channel;
            }
            if (output != null) {
                output.requestOutput();
            }
        }

        private void send(int status, EntityDetails entity) {
            try {
                responseChannel.sendResponse(new BasicHttpResponse(status), entity, context);
            } catch (HttpException | IOException e) {
                reset.complete(e);
            }
        }

        private synchronized int available() {
            if (flood) {
                return Integer.MAX_VALUE;
            }
            int bytes = 0;
            for (ByteBuffer buffer : pending) {
                bytes += buffer.remaining();
            }
            return bytes > 0 || endAfterPending ? Math.max(bytes, 1) : 0;
        }

        private synchronized void produce(DataStreamChannel output) throws IOException {
            channel = output;
            if (Thread.currentThread() != ioThread) {
                // httpcore 5.4.4 calls this from sendResponse, on whichever thread answers. A stream ended there
                // stays counted against the server's SETTINGS_MAX_CONCURRENT_STREAMS until the I/O thread releases it
                // (AbstractH2StreamMultiplexer.produceOutput); if the I/O thread's current output turn has already
                // passed it, the next turn may come only with the client's next request, whose HEADERS are read first
                // and refused (REFUSED_STREAM) although the client rightly saw the stream end. Ended here, on the I/O
                // thread inside produceOutput, a stream is released before the server reads anything else.
                output.requestOutput();
                return;
            }
            if (flood) {
                ByteBuffer filler = ByteBuffer.wrap(("data: " + "x".repeat(1000) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                while (true) {
                    int n = output.write(filler);
                    written += n;
                    if (filler.hasRemaining()) {
                        return; // the window is shut: httpcore calls again when the client grants more
                    }
                    filler.rewind();
                }
            }
            while (!pending.isEmpty()) {
                ByteBuffer head = pending.peek();
                written += output.write(head);
                if (head.hasRemaining()) {
                    return;
                }
                pending.poll();
            }
            if (endAfterPending) {
                endAfterPending = false;
                output.endStream(null);
                ended.complete(null);
            }
        }

        private synchronized void consume(ByteBuffer src) {
            byte[] bytes = new byte[src.remaining()];
            src.get(bytes);
            requestBody.write(bytes, 0, bytes.length);
        }
    }

    /** Per stream: httpcore's callbacks, on the server's I/O thread. */
    private final class Handler implements AsyncServerExchangeHandler {
        private Stream stream;

        @Override
        public void handleRequest(HttpRequest request, EntityDetails entity, ResponseChannel responseChannel,
                HttpContext context) {
            stream = new Stream(request, responseChannel, context);
            if (headersFor != null) {
                byStreamId.put(headersFor, stream);
                headersFor = null;
            }
            if (entity == null) {
                arrived();
            }
        }

        @Override
        public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
            capacityChannel.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) {
            stream.consume(src);
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            arrived();
        }

        private void arrived() {
            streams.add(stream);
            onRequest.accept(stream);
        }

        @Override
        public int available() {
            return stream == null ? 0 : stream.available();
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            stream.produce(channel);
        }

        @Override
        public void failed(Exception cause) {}

        @Override
        public void releaseResources() {}
    }

    /**
     * Sees frames as httpcore reads them, on the I/O thread: request headers (just before the stream's handler is
     * created, which ties the stream id to a {@link Stream}) and RST_STREAM.
     */
    private final class FrameWatch implements H2StreamListener {
        private String key(HttpConnection connection, int streamId) {
            return System.identityHashCode(connection) + "/" + streamId;
        }

        @Override
        public void onHeaderInput(HttpConnection connection, int streamId, List<? extends Header> headers) {
            headersFor = key(connection, streamId);
        }

        @Override
        public void onFrameInput(HttpConnection connection, int streamId, RawFrame frame) {
            if (frame.getType() == FrameType.RST_STREAM.getValue()) {
                resetsReceived.incrementAndGet();
                Stream stream = byStreamId.get(key(connection, streamId));
                if (stream != null) {
                    stream.reset.complete(new IOException("RST_STREAM from the client"));
                }
            }
        }

        @Override
        public void onHeaderOutput(HttpConnection connection, int streamId, List<? extends Header> headers) {}

        @Override
        public void onFrameOutput(HttpConnection connection, int streamId, RawFrame frame) {}

        @Override
        public void onInputFlowControl(HttpConnection connection, int streamId, int delta, int actualSize) {}

        @Override
        public void onOutputFlowControl(HttpConnection connection, int streamId, int delta, int actualSize) {}
    }

    private final class ConnectionCounter implements IOSessionListener {
        @Override
        public void connected(IOSession session) {
            connections.incrementAndGet();
        }

        @Override
        public void startTls(IOSession session) {}

        @Override
        public void inputReady(IOSession session) {}

        @Override
        public void outputReady(IOSession session) {}

        @Override
        public void timeout(IOSession session) {}

        @Override
        public void exception(IOSession session, Exception ex) {}

        @Override
        public void disconnected(IOSession session) {}
    }
}
