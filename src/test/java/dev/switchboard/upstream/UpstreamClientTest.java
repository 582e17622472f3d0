package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.UpstreamConfig;
import dev.switchboard.vendor.UpstreamRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOSession;
import org.junit.jupiter.api.Test;

/**
 * The connection-tracking workaround of {@link ConnectionTracker}, against a raw loopback server: an exchange on a
 * reused pooled connection (where HttpClient 5.6.5's {@code Future.cancel()} leaves the connection open) learns
 * its connection, and closing it ends the server's side at once.
 */
class UpstreamClientTest {

    @Test
    void anExchangeOnAReusedConnectionLearnsItAndClosingItReachesTheServer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                UpstreamClient client = new UpstreamClient(UpstreamConfig.DEFAULTS, Map.of())) {
            CompletableFuture<Long> closedAfterMillis = new CompletableFuture<>();
            CountDownLatch secondRequestArrived = new CountDownLatch(1);
            Thread serverThread = new Thread(() -> serveTwoRequests(server, secondRequestArrived, closedAfterMillis));
            serverThread.setDaemon(true);
            serverThread.start();
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            UpstreamRequest request = new UpstreamRequest(uri, Map.of(), "{}".getBytes(StandardCharsets.UTF_8));

            // First exchange completes normally and leaves its connection in the pool.
            CompletableFuture<Void> first = new CompletableFuture<>();
            client.execute(request, 10_000, new DiscardingConsumer(), callback(first), session -> { });
            first.get(10, TimeUnit.SECONDS);
            // The callback runs before the connection is back in the pool; wait so the next exchange reuses it.
            awaitPool(client, () -> client.poolStats().getAvailable() == 1 && client.poolStats().getLeased() == 0);

            // Second exchange reuses it; the server never answers.
            AtomicReference<IOSession> connection = new AtomicReference<>();
            CompletableFuture<Void> second = new CompletableFuture<>();
            client.execute(request, 10_000, new DiscardingConsumer(), callback(second), connection::set);
            assertTrue(secondRequestArrived.await(10, TimeUnit.SECONDS), "second request reached the server");
            IOSession session = connection.get();
            assertNotNull(session, "the exchange learned its connection while writing the request");

            long closedAt = System.nanoTime();
            session.close(CloseMode.IMMEDIATE);
            long seenAfter = closedAfterMillis.get(5, TimeUnit.SECONDS) - TimeUnit.NANOSECONDS.toMillis(closedAt);
            assertTrue(seenAfter < 2_000, "server saw the close after " + seenAfter + " ms");
            assertEquals(0, awaitReleased(client), "the closed connection does not stay leased");
        }
    }

    /** Answers the first request with a small JSON body, reads the second, then waits for the client to close. */
    private static void serveTwoRequests(ServerSocket server, CountDownLatch secondRequestArrived,
            CompletableFuture<Long> closedAtMillis) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            readRequest(in);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            readRequest(in);
            secondRequestArrived.countDown();
            int read = in.read(); // blocks until the gateway closes (-1) or resets (IOException)
            if (read >= 0) {
                closedAtMillis.completeExceptionally(new AssertionError("unexpected byte from the client: " + read));
                return;
            }
            closedAtMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        } catch (IOException e) {
            closedAtMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
        }
    }

    /** Reads one request: headers up to the blank line, then the Content-Length body. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed before a whole request");
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }

    private static int awaitReleased(UpstreamClient client) {
        awaitPool(client, () -> client.poolStats().getLeased() == 0);
        return client.poolStats().getLeased();
    }

    /** Polls the pool (no callback exists for "connection back in the pool") until {@code condition}, 5 s at most. */
    private static void awaitPool(UpstreamClient client, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static FutureCallback<Void> callback(CompletableFuture<Void> done) {
        return new FutureCallback<>() {
            @Override
            public void completed(Void result) {
                done.complete(null);
            }

            @Override
            public void failed(Exception cause) {
                done.completeExceptionally(cause);
            }

            @Override
            public void cancelled() {
                done.cancel(false);
            }
        };
    }

    /** Reads and drops a response body; completes at its end. */
    private static final class DiscardingConsumer implements AsyncResponseConsumer<Void> {
        private FutureCallback<Void> result;

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
                FutureCallback<Void> resultCallback) {
            this.result = resultCallback;
            if (entity == null) {
                resultCallback.completed(null);
            }
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {}

        @Override
        public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
            capacityChannel.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) {
            src.position(src.limit());
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            result.completed(null);
        }

        @Override
        public void failed(Exception cause) {}

        @Override
        public void releaseResources() {}
    }
}
