package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.it.RecordedExchange.Ending;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fake upstream itself: streaming, latches, recording and the endings it reports. */
class FakeUpstreamTest {

    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void listensOnLoopbackOnAnEphemeralPort() {
        assertEquals("127.0.0.1", upstream.baseUri().getHost());
        assertTrue(upstream.port() > 0);
        assertEquals("http://127.0.0.1:" + upstream.port() + "/v1/models", upstream.uri("/v1/models").toString());
    }

    @Test
    void streamsEachEventBeforeTheNextIsReleased() throws Exception {
        CountDownLatch firstSent = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        upstream.enqueue(Reply.sse().event("one").countDown(firstSent).await(release).event("two").done());

        HttpResponse<InputStream> clientResponse = client.send(get("/v1/chat/completions"),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = reader(clientResponse.body())) {
            assertEquals(200, clientResponse.statusCode());
            assertEquals("text/event-stream; charset=utf-8",
                    clientResponse.headers().firstValue("Content-Type").orElseThrow());
            Await.latch("event one written", firstSent);
            assertEquals("data: one", lines.readLine()); // arrives while event two is still held back
            assertEquals("", lines.readLine());
            RecordedExchange exchange = upstream.awaitExchange(0);
            assertTrue(exchange.ending().isEmpty(), "still waiting on the latch");
            assertEquals(1, exchange.writes());

            release.countDown();
            assertEquals("data: two", lines.readLine());
            assertEquals("", lines.readLine());
            assertEquals("data: [DONE]", lines.readLine());
            assertEquals("", lines.readLine());
            assertNull(lines.readLine());
            assertEquals(Ending.COMPLETED, exchange.awaitEnd());
            assertEquals(3, exchange.writes());
            assertEquals("data: one\n\ndata: two\n\ndata: [DONE]\n\n".length(), exchange.bytesWritten());
        }
    }

    @Test
    void recordsTheRequestAsReceivedAndAnswersAFixedReply() throws Exception {
        upstream.enqueue(Reply.status(429).header("Retry-After", "1").json("{\"error\":{\"message\":\"slow down\"}}"));
        byte[] body = "{\"model\":\"gpt-4o\",\"stream\":true}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> clientResponse = client.send(HttpRequest.newBuilder(upstream.uri("/v1/chat/completions?a=1&b=%20"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer sk-upstream")
                .header("X-Repeated", "first")
                .header("X-Repeated", "second")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(429, clientResponse.statusCode());
        assertEquals("1", clientResponse.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("application/json", clientResponse.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":{\"message\":\"slow down\"}}", clientResponse.body());

        RecordedExchange exchange = upstream.awaitExchange(0);
        assertEquals(Ending.COMPLETED, exchange.awaitEnd());
        assertEquals("POST", exchange.method());
        assertEquals("/v1/chat/completions", exchange.path());
        assertEquals("a=1&b=%20", exchange.query());
        assertEquals("Bearer sk-upstream", exchange.header("authorization").orElseThrow());
        assertEquals(List.of("first", "second"), exchange.headerValues("X-REPEATED"));
        assertArrayEquals(body, exchange.body());
        assertEquals("127.0.0.1", exchange.remoteAddress().getAddress().getHostAddress());
        assertTrue(exchange.scripted());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void answersInQueueOrderThenFallsBackAndMarksUnscriptedRequests() throws Exception {
        upstream.enqueue(Reply.status(201).body("a"), Reply.status(202).body("b"));

        assertEquals(201, client.send(get("/1"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(202, client.send(get("/2"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(500, client.send(get("/3"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(List.of(upstream.awaitExchange(2)), upstream.unscripted());

        upstream.always(Reply.status(204));
        assertEquals(204, client.send(get("/4"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(204, client.send(get("/5"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(1, upstream.unscripted().size());
    }

    @Test
    void routesByRequestBeforeTheQueue() throws Exception {
        upstream.enqueue(Reply.status(200).body("queued"));
        upstream.route(request -> request.header("Authorization").orElse("").equals("Bearer bad")
                ? Reply.status(401).json("{}") : null);

        assertEquals(401, client.send(HttpRequest.newBuilder(upstream.uri("/x")).header("Authorization", "Bearer bad")
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals("queued", client.send(get("/x"), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void reportsTheClientGoingAwayFromAnEndlessStream() throws Exception {
        upstream.enqueue(Reply.sse().forever(i -> "{\"n\":" + i + "}", Duration.ofMillis(2)));

        try (Socket socket = rawGet("/stream")) {
            String received = readUntil(socket.getInputStream(), "data: {\"n\":0}");
            assertTrue(received.toLowerCase().contains("transfer-encoding: chunked"), received);
        }

        RecordedExchange exchange = upstream.awaitExchange(0);
        assertEquals(Ending.CLIENT_GONE, exchange.awaitEnd());
        assertTrue(exchange.cause().isPresent());
        assertTrue(exchange.writes() >= 1);
    }

    @Test
    void noticesAClientThatLeavesWhileTheScriptWaitsOnALatch() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        upstream.enqueue(Reply.sse().event("one").await(never, Duration.ofSeconds(60)).done());

        try (Socket socket = rawGet("/stream")) {
            readUntil(socket.getInputStream(), "data: one");
        }

        RecordedExchange exchange = upstream.awaitExchange(0);
        assertEquals(Ending.CLIENT_GONE, exchange.awaitEnd(Duration.ofSeconds(5)), "noticed without writing");
        assertEquals(1, exchange.writes());
    }

    @Test
    void noticesAClientThatLeavesBeforeTheHeadersDuringAPause() throws Exception {
        upstream.enqueue(Reply.status(200).delay(Duration.ofSeconds(60)).json("{}"));

        try (Socket socket = rawGet("/slow")) {
            upstream.awaitExchange(0);
        }

        RecordedExchange exchange = upstream.awaitExchange(0);
        assertEquals(Ending.CLIENT_GONE, exchange.awaitEnd(Duration.ofSeconds(5)));
        assertEquals(0, exchange.bytesWritten());
    }

    @Test
    void noticesAClientThatTimedOutWhenTheScriptResumes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.enqueue(Reply.status(200).await(release, Duration.ofSeconds(60)).json("{}"));

        assertThrows(java.net.http.HttpTimeoutException.class, () -> client.send(
                HttpRequest.newBuilder(upstream.uri("/slow")).timeout(Duration.ofMillis(300)).build(),
                HttpResponse.BodyHandlers.ofString()));
        release.countDown();

        assertEquals(Ending.CLIENT_GONE, upstream.awaitExchange(0).awaitEnd(Duration.ofSeconds(5)));
    }

    @Test
    void abortClosesTheConnectionWithoutFinishingTheChunkedBody() throws Exception {
        upstream.enqueue(Reply.sse().event("one").abort());

        String received;
        try (Socket socket = rawPost("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}")) {
            received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // FIN, not reset
        }

        assertTrue(received.contains("data: one"), received);
        assertFalse(received.endsWith("0\r\n\r\n"), "no terminating chunk: " + received);
        assertEquals(Ending.ABORTED, upstream.awaitExchange(0).awaitEnd());
    }

    @Test
    void abortBeforeAnyBodyStepSendsNoResponseAtAll() throws Exception {
        upstream.enqueue(Reply.status(200).abort());

        try (Socket socket = rawGet("/nothing")) {
            assertEquals(0, socket.getInputStream().readAllBytes().length);
        }
        assertEquals(Ending.ABORTED, upstream.awaitExchange(0).awaitEnd());
    }

    @Test
    void stopEndsAnExchangeThatIsWaitingOnALatch() throws Exception {
        CountDownLatch neverReleased = new CountDownLatch(1);
        FakeUpstream own = FakeUpstream.start();
        own.enqueue(Reply.sse().event("one").await(neverReleased));

        try (Socket socket = rawGet(own, "/stream")) {
            readUntil(socket.getInputStream(), "data: one");
            own.stop();
            assertEquals(Ending.STOPPED, own.awaitExchange(0).awaitEnd());
            assertFalse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).endsWith("0\r\n\r\n"));
        }
        assertThrows(IOException.class, () -> rawGet(own, "/again").close());
    }

    @Test
    void aLatchNeverReleasedEndsAsScriptTimeout() throws Exception {
        upstream.enqueue(Reply.sse().sendHeaders().await(new CountDownLatch(1), Duration.ofMillis(50)));

        try (Socket socket = rawGet("/stalled")) {
            String received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(received.startsWith("HTTP/1.1 200"), received);
        }
        assertEquals(Ending.SCRIPT_TIMEOUT, upstream.awaitExchange(0).awaitEnd());
    }

    @Test
    void delayHoldsTheNextEventBack() throws Exception {
        upstream.enqueue(Reply.sse().event("a").delay(Duration.ofMillis(300)).event("b"));

        HttpResponse<InputStream> clientResponse = client.send(get("/slow"), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = reader(clientResponse.body())) {
            assertEquals("data: a", lines.readLine());
            long afterFirst = System.nanoTime();
            assertEquals("", lines.readLine());
            assertEquals("data: b", lines.readLine());
            assertTrue(Duration.ofNanos(System.nanoTime() - afterFirst).toMillis() >= 250);
        }
    }

    @Test
    void aScriptThatThrowsFailsTheTestAfterIt() throws Exception {
        FakeUpstream own = FakeUpstream.start();
        try {
            own.enqueue(exchange -> {
                throw new IllegalArgumentException("broken script");
            });
            try (Socket socket = rawGet(own, "/x")) {
                assertEquals(0, socket.getInputStream().readAllBytes().length);
            }
            assertEquals(Ending.FAILED, own.awaitExchange(0).awaitEnd());
            AssertionError failure = assertThrows(AssertionError.class, () -> own.afterEach(null));
            assertEquals("broken script", failure.getSuppressed()[0].getMessage());
        } finally {
            own.stop();
        }
    }

    @Test
    void multiLineDataBecomesSeveralDataLines() {
        assertEquals("event: delta\ndata: a\ndata: b\n\n",
                new String(Reply.sseEvent("delta", "a\nb"), StandardCharsets.UTF_8));
    }

    @Test
    void awaitFailsAtItsDeadlineInsteadOfHanging() {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> Await.until("never", () -> false, Duration.ofMillis(30)));
        assertTrue(failure.getMessage().contains("never"));
        assertThrows(AssertionError.class, () -> Await.latch("never", new CountDownLatch(1), Duration.ofMillis(30)));
    }

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(upstream.uri(path)).timeout(Duration.ofSeconds(20)).build();
    }

    private static BufferedReader reader(InputStream body) {
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    private static Socket rawGet(String path) throws IOException {
        return rawGet(upstream, path);
    }

    /** A bare HTTP/1.1 client, for what HttpClient hides: the chunked framing and exactly when the socket closes. */
    private static Socket rawGet(FakeUpstream target, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", target.port());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static Socket rawPost(String path, String json) throws IOException {
        Socket socket = new Socket("127.0.0.1", upstream.port());
        socket.setSoTimeout(20_000);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        return socket;
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (!received.toString(StandardCharsets.UTF_8).contains(marker)) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new AssertionError("connection closed before " + marker + ": " + received);
            }
            received.write(buffer, 0, n);
        }
        return received.toString(StandardCharsets.UTF_8);
    }
}
