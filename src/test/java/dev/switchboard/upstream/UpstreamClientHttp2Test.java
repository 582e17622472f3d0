package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.TimeoutsConfig;
import dev.switchboard.config.UpstreamConfig;
import dev.switchboard.it.Await;
import dev.switchboard.it.H2Upstream;
import dev.switchboard.it.LoopbackTraps;
import dev.switchboard.vendor.UpstreamRequest;
import java.io.IOException;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/2 path of {@link UpstreamClient} against a real h2c server on loopback ({@link H2Upstream}): exchanges to
 * an opted-in host are streams multiplexed on one connection, a cancelled exchange resets its own stream and no other,
 * a stream whose reader stalls holds only its own flow-control window, and the per-host connect timeout still applies.
 */
class UpstreamClientHttp2Test {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private H2Upstream upstream() {
        return upstream(1000);
    }

    private H2Upstream upstream(int maxConcurrentStreams) {
        H2Upstream upstream = H2Upstream.start(maxConcurrentStreams, stream -> { });
        resources.add(upstream);
        return upstream;
    }

    private UpstreamClient http2Client(URI base, TimeoutsConfig timeouts) {
        String host = UpstreamClient.hostKey(base.toString());
        UpstreamClient client = new UpstreamClient(UpstreamConfig.DEFAULTS, Map.of(host, timeouts), Set.of(host));
        resources.add(client);
        return client;
    }

    private static UpstreamRequest request(URI uri) {
        return new UpstreamRequest(uri, Map.of("Authorization", "Bearer t"),
                "{\"stream\":true}".getBytes(StandardCharsets.UTF_8));
    }

    private static Future<Void> start(UpstreamClient client, URI uri, Recorder recorder) {
        return client.execute(request(uri), 60_000, recorder, recorder, session -> {
            throw new AssertionError("an HTTP/2 exchange must never be handed its (shared) connection");
        });
    }

    @Test
    void manyConcurrentStreamsShareOneConnectionAndEventsArriveBeforeTheEnd() throws Exception {
        H2Upstream upstream = upstream();
        URI uri = upstream.uri("/v1/chat/completions");
        UpstreamClient client = http2Client(uri, TimeoutsConfig.DEFAULTS);
        assertTrue(client.multiplexes(uri));

        int count = 50;
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Recorder recorder = new Recorder(true);
            recorders.add(recorder);
            start(client, uri, recorder);
        }
        List<H2Upstream.Stream> streams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            H2Upstream.Stream stream = upstream.awaitStream(i, WAIT);
            assertEquals("Bearer t", stream.header("Authorization"));
            assertEquals("{\"stream\":true}", stream.body());
            stream.startSse();
            stream.event("first");
            streams.add(stream);
        }
        // Every stream is open at once, and every client has its first event while its response is still going.
        for (int i = 0; i < count; i++) {
            recorders.get(i).awaitText("data: first", WAIT);
            assertFalse(streams.get(i).hasEnded());
        }
        assertEquals(count, client.exchangesInFlight());
        assertEquals(1, upstream.connectionsAccepted(), "one TCP connection carries every stream");

        streams.forEach(stream -> {
            stream.event("second");
            stream.end();
        });
        for (Recorder recorder : recorders) {
            recorder.done.get(20, TimeUnit.SECONDS);
            assertEquals("data: first\n\ndata: second\n\n", recorder.text());
        }
        awaitNoneInFlight(client);
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void cancellingOneExchangeResetsOnlyItsStreamAndKeepsTheConnection() throws Exception {
        H2Upstream upstream = upstream();
        URI uri = upstream.uri("/v1/chat/completions");
        UpstreamClient client = http2Client(uri, TimeoutsConfig.DEFAULTS);

        Recorder left = new Recorder(true);
        Recorder staying = new Recorder(true);
        Future<Void> leaving = start(client, uri, left);
        start(client, uri, staying);
        H2Upstream.Stream leftStream = upstream.awaitStream(0, WAIT);
        H2Upstream.Stream stayingStream = upstream.awaitStream(1, WAIT);
        leftStream.startSse();
        stayingStream.startSse();
        leftStream.event("to-the-leaver");
        stayingStream.event("before");
        left.awaitText("to-the-leaver", WAIT);
        staying.awaitText("before", WAIT);

        assertTrue(leaving.cancel(true));
        // httpcore 5.4.4 sends the RST_STREAM of a cancelled future with the stream's next inbound frame (UpstreamCall
        // resets a stalled stream itself, see the next test).
        leftStream.event("after-cancel");
        leftStream.awaitReset(WAIT);
        assertFalse(stayingStream.wasReset(), "the sibling stream was reset too");
        assertEquals(1, upstream.resetsReceived());

        // The sibling still streams, and a new exchange still rides the same connection (no GOAWAY, no reconnect).
        stayingStream.event("after");
        staying.awaitText("after", WAIT);
        Recorder next = new Recorder(true);
        start(client, uri, next);
        H2Upstream.Stream nextStream = upstream.awaitStream(2, WAIT);
        nextStream.json(200, "{\"ok\":true}");
        next.done.get(20, TimeUnit.SECONDS);
        assertEquals("{\"ok\":true}", next.text());
        stayingStream.end();
        staying.done.get(20, TimeUnit.SECONDS);
        assertEquals(1, upstream.connectionsAccepted());
        awaitNoneInFlight(client);
    }

    @Test
    void aStreamWhoseReaderStallsHoldsOnlyItsOwnWindowAndDoesNotStopItsSiblings() throws Exception {
        H2Upstream upstream = upstream();
        URI uri = upstream.uri("/v1/chat/completions");
        UpstreamClient client = http2Client(uri, TimeoutsConfig.DEFAULTS);

        Recorder stalled = new Recorder(false); // grants no credit beyond the initial stream window
        Recorder reading = new Recorder(true);
        Future<Void> stalledCall = start(client, uri, stalled);
        start(client, uri, reading);
        H2Upstream.Stream flood = upstream.awaitStream(0, WAIT);
        H2Upstream.Stream sibling = upstream.awaitStream(1, WAIT);
        flood.flood();
        sibling.startSse();
        // The flood fills the window the gateway announced; then it can write no more.
        Await.until("the stalled stream's window is used up",
                () -> flood.bytesWritten() > 60 * 1024, WAIT);

        for (int i = 0; i < 100; i++) {
            sibling.event("tick-" + i + "-" + "y".repeat(1000)); // 100 KB: more than a window's worth
        }
        sibling.event("last");
        reading.awaitText("last", WAIT);

        // RFC 9113 section 6.9: a sender may not exceed the receiver's window; 65,536 bytes is what the client set.
        assertTrue(flood.bytesWritten() <= 64 * 1024, "stalled stream wrote " + flood.bytesWritten());
        assertTrue(stalled.bytes.get() <= 64 * 1024, "stalled stream delivered " + stalled.bytes.get());
        sibling.end();
        reading.done.get(20, TimeUnit.SECONDS);

        // The flood can send nothing more, so no inbound frame would carry a cancelled future's reset: the gateway's
        // abort (UpstreamCall) resets the stream through the channel httpcore handed the consumer.
        UpstreamCall abort = new UpstreamCall();
        abort.multiplexed(null);
        abort.started(stalledCall);
        abort.stream(stalled.channel);
        abort.cancel();
        flood.awaitReset(WAIT);
        assertEquals(1, upstream.resetsReceived());
        assertEquals(1, upstream.connectionsAccepted());
        awaitNoneInFlight(client);
    }

    @Test
    void requestsBeyondTheServersStreamLimitWaitForAFreeStreamOnTheSameConnection() throws Exception {
        H2Upstream upstream = upstream(2);
        URI uri = upstream.uri("/v1/chat/completions");
        UpstreamClient client = http2Client(uri, TimeoutsConfig.DEFAULTS);

        List<Recorder> recorders = List.of(new Recorder(true), new Recorder(true), new Recorder(true));
        recorders.forEach(recorder -> start(client, uri, recorder));
        H2Upstream.Stream first = upstream.awaitStream(0, WAIT);
        upstream.awaitStream(1, WAIT).startSse();
        // httpcore holds the third request until a stream is free (SETTINGS_MAX_CONCURRENT_STREAMS = 2): ending one
        // lets it start, on the same connection.
        first.json(200, "{}");
        recorders.get(0).done.get(20, TimeUnit.SECONDS);
        H2Upstream.Stream third = upstream.awaitStream(2, WAIT);
        third.json(200, "{}");
        recorders.get(2).done.get(20, TimeUnit.SECONDS);
        upstream.awaitStream(1, WAIT).end();
        recorders.get(1).done.get(20, TimeUnit.SECONDS);
        assertEquals(1, upstream.connectionsAccepted());
        awaitNoneInFlight(client);
    }

    @Test
    void requestsQueuedPastTheStreamLimitAreNeverRefusedWhenTheyTakeAFreedStream() throws Exception {
        H2Upstream upstream = upstream(2);
        URI uri = upstream.uri("/v1/chat/completions");
        UpstreamClient client = http2Client(uri, TimeoutsConfig.DEFAULTS);

        // Each round fills both streams the server allows, starts the newer one's response and then ends the older
        // one, whose freed stream the next queued request takes at once: the server must accept it every time.
        // Starting the newer response first keeps the server's I/O thread busy just as the older stream ends, the
        // timing in which the test server used to count an ended stream as still open (H2Upstream.Stream#produce).
        int rounds = 10;
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 2 * rounds; i++) {
            Recorder recorder = new Recorder(true);
            recorders.add(recorder);
            start(client, uri, recorder);
        }
        for (int round = 0; round < rounds; round++) {
            int older = 2 * round;
            H2Upstream.Stream olderStream = awaitRequest(upstream, recorders, older);
            H2Upstream.Stream newerStream = awaitRequest(upstream, recorders, older + 1);
            newerStream.startSse();
            olderStream.json(200, "{\"n\":" + older + "}");
            recorders.get(older).done.get(20, TimeUnit.SECONDS);
            assertEquals("{\"n\":" + older + "}", recorders.get(older).text());
            if (older + 2 < recorders.size()) {
                awaitRequest(upstream, recorders, older + 2);
            }
            newerStream.end();
            recorders.get(older + 1).done.get(20, TimeUnit.SECONDS);
        }
        assertEquals(1, upstream.connectionsAccepted());
        awaitNoneInFlight(client);
    }

    /** The {@code index}-th request as the server received it; fails at once if the exchange failed instead. */
    private static H2Upstream.Stream awaitRequest(H2Upstream upstream, List<Recorder> recorders, int index) {
        Recorder recorder = recorders.get(index);
        Await.until("request " + index + " reached the server or failed",
                () -> upstream.requestCount() > index || recorder.done.isCompletedExceptionally(), WAIT);
        assertFalse(recorder.done.isCompletedExceptionally(),
                () -> "request " + index + " failed: " + recorder.done.handle((result, cause) -> cause).join());
        return upstream.awaitStream(index, WAIT);
    }

    @Test
    void thePlatformsConnectTimeoutStillApplies() throws Exception {
        try (LoopbackTraps.FullBacklog trap = new LoopbackTraps.FullBacklog()) {
            URI uri = URI.create("http://127.0.0.1:" + trap.port() + "/v1/chat/completions");
            UpstreamClient client = http2Client(uri, new TimeoutsConfig(300L, null, null, null, null));
            Recorder recorder = new Recorder(true);
            start(client, uri, recorder);
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> recorder.done.get(20, TimeUnit.SECONDS));
            assertEquals(FailureKind.CONNECT_TIMEOUT, UpstreamFailures.classify(failure.getCause()).kind(),
                    failure.getCause().toString());
            awaitNoneInFlight(client);
        }
    }

    @Test
    void anUpstreamThatDoesNotSpeakHttp2FailsAsAReset() throws Exception {
        // The JDK's own HTTP/1.1 server: it cannot parse the HTTP/2 connection preface and closes the connection.
        HttpServer http1 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http1.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http1.start();
        resources.add(() -> http1.stop(0));
        URI uri = URI.create("http://127.0.0.1:" + http1.getAddress().getPort() + "/v1/chat/completions");
        UpstreamClient client = http2Client(uri, TimeoutsConfig.DEFAULTS);
        Recorder recorder = new Recorder(true);
        start(client, uri, recorder);
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> recorder.done.get(20, TimeUnit.SECONDS));
        assertEquals(FailureKind.RESET, UpstreamFailures.classify(failure.getCause()).kind(),
                failure.getCause().toString());
        awaitNoneInFlight(client);
    }

    @Test
    void hostsThatDidNotOptInStayOnHttp1() {
        UpstreamClient client = http2Client(URI.create("http://127.0.0.1:1/v1"), TimeoutsConfig.DEFAULTS);
        assertFalse(client.multiplexes(URI.create("http://127.0.0.1:2/v1/chat/completions")));
        assertFalse(client.multiplexes(URI.create("https://127.0.0.1:1/v1/chat/completions")));
        assertTrue(client.multiplexes(URI.create("http://127.0.0.1:1/other")));
    }

    private static void awaitNoneInFlight(UpstreamClient client) {
        Await.until("no exchange in flight", () -> client.exchangesInFlight() == 0, WAIT);
    }

    /**
     * Records one response's body as text; completes {@link #done} at its end or failure. With {@code reading} false it
     * never grants credit, like a gateway whose client stopped reading.
     */
    private static final class Recorder implements AsyncResponseConsumer<Void>, FutureCallback<Void> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicLong bytes = new AtomicLong();
        volatile CapacityChannel channel;
        private final boolean reading;
        private final StringBuilder text = new StringBuilder();
        private volatile FutureCallback<Void> result;

        Recorder(boolean reading) {
            this.reading = reading;
        }

        synchronized String text() {
            return text.toString();
        }

        void awaitText(String part, Duration timeout) {
            Await.until("response text " + part, () -> text().contains(part) || done.isCompletedExceptionally(),
                    timeout);
            assertTrue(text().contains(part), "the exchange failed before " + part);
        }

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
                FutureCallback<Void> resultCallback) {
            result = resultCallback;
            if (entity == null) {
                resultCallback.completed(null);
            }
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {}

        @Override
        public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
            channel = capacityChannel;
            if (reading) {
                capacityChannel.update(Integer.MAX_VALUE);
            }
        }

        @Override
        public void consume(ByteBuffer src) {
            bytes.addAndGet(src.remaining());
            byte[] chunk = new byte[src.remaining()];
            src.get(chunk);
            synchronized (this) {
                text.append(new String(chunk, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            done.complete(null);
            result.completed(null);
        }

        @Override
        public void failed(Exception cause) {
            done.completeExceptionally(cause);
        }

        @Override
        public void releaseResources() {}

        // FutureCallback: the exchange's overall outcome (the consumer above already reports it).
        @Override
        public void completed(Void result) {
            done.complete(null);
        }

        @Override
        public void cancelled() {
            done.cancel(false);
        }
    }
}
