package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.it.FaultAttempt.ClientEnd;
import dev.switchboard.it.FaultUpstream.AcceptFault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fault upstream itself: each behaviour seen from a raw socket or the JDK HTTP client, and what it records. */
class FaultUpstreamTest {

    @RegisterExtension
    static final FaultUpstream upstream = FaultUpstream.start();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void listensOnLoopbackOnAnEphemeralPort() {
        assertEquals("127.0.0.1", upstream.baseUri().getHost());
        assertTrue(upstream.port() > 0);
    }

    @Test
    void answersAStatusWithHeadersAndRecordsTheRequestAsReceived() throws Exception {
        upstream.enqueue(Fault.status(429).header("Retry-After", "7").header("retry-after-ms", "6500")
                .json("{\"error\":{\"message\":\"slow down\"}}"));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(upstream.uri("/v1/chat/completions?x=1"))
                .header("Authorization", "Bearer sk-one").header("X-Trace", "a").header("X-Trace", "b")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(429, response.statusCode());
        assertEquals("7", response.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("6500", response.headers().firstValue("retry-after-ms").orElseThrow());
        assertEquals("{\"error\":{\"message\":\"slow down\"}}", response.body());
        FaultAttempt attempt = upstream.awaitRequest(0);
        assertEquals("POST", attempt.method());
        assertEquals("/v1/chat/completions?x=1", attempt.target());
        assertEquals("/v1/chat/completions", attempt.path());
        assertEquals("sk-one", attempt.token());
        assertEquals(List.of("a", "b"), attempt.headers().get("x-trace"));
        assertEquals("{\"model\":\"m\"}", attempt.bodyText());
        assertFalse(attempt.toString().contains("sk-one"));
        assertEquals(ClientEnd.FIN, attempt.awaitClientEnd(), "the JDK client closes a Connection: close response");
        assertFalse(attempt.clientEndedAt().isBefore(attempt.arrivedAt()));
    }

    @Test
    void choosesByTokenWhateverHeaderCarriesItAndRepeatsTheLastFault() throws Exception {
        upstream.onToken("sk-a", Fault.status(401).json("{}"), Fault.status(200).json("{\"ok\":1}"))
                .onToken("sk-b", Fault.status(503).json("{}"))
                .route(attempt -> attempt.path().equals("/routed") ? Fault.status(204) : null)
                .always(Fault.status(418));

        assertEquals(401, send("/x", "Authorization", "Bearer sk-a"));
        assertEquals(200, send("/x", "x-api-key", "sk-a"));
        assertEquals(200, send("/x", "x-goog-api-key", "sk-a"));
        assertEquals(503, send("/x", "api-key", "sk-b"));
        assertEquals(204, send("/routed", "api-key", "sk-b"));
        assertEquals(418, send("/x", "api-key", "sk-unknown"));
        assertEquals(List.of("sk-a", "sk-a", "sk-a", "sk-b", "sk-b", "sk-unknown"), upstream.tokens());
    }

    @Test
    void unscriptedRequestsGetAMarked500() throws Exception {
        assertEquals(500, send("/x", "api-key", "k"));
    }

    @Test
    void htmlBodiesRedirectsAndOversizedBodies() throws Exception {
        upstream.enqueue(Fault.status(200).html("<html>maintenance</html>"),
                Fault.redirect(302, "http://elsewhere.test/v1"),
                Fault.status(200).oversized("application/json", 3 * 1024 * 1024 + 5));

        HttpResponse<String> html = client.send(get("/a"), HttpResponse.BodyHandlers.ofString());
        assertEquals("text/html; charset=utf-8", html.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("<html>maintenance</html>", html.body());
        HttpResponse<String> redirect = client.send(get("/b"), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, redirect.statusCode());
        assertEquals("http://elsewhere.test/v1", redirect.headers().firstValue("Location").orElseThrow());
        HttpResponse<byte[]> large = client.send(get("/c"), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(3 * 1024 * 1024 + 5, large.body().length);
    }

    @Test
    void delaysBeforeHeaders() throws Exception {
        upstream.enqueue(Fault.delayed(Duration.ofMillis(300), Fault.status(200).json("{}")));
        long start = System.nanoTime();
        assertEquals(200, client.send(get("/slow"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
    }

    @Test
    void aDelayEndsWhenTheGatewayLeavesAndRecordsHow() throws Exception {
        upstream.always(Fault.delayed(Duration.ofHours(1), Fault.status(200)));
        try (RawClient raw = RawClient.open()) {
            raw.send(request("GET", "/x", "sk-1", ""));
            upstream.awaitRequest(0);
            raw.socket.close();
        }
        assertEquals(ClientEnd.FIN, upstream.attempts().get(0).awaitClientEnd());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("GET", "/x", "sk-1", ""));
            upstream.awaitRequest(1);
            raw.abort();
        }
        assertEquals(ClientEnd.RESET, upstream.attempts().get(1).awaitClientEnd());
    }

    @Test
    void stallsForeverAndAConnectionStillOpenIsRecordedAsOpen() throws Exception {
        upstream.always(Fault.stall());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            FaultAttempt attempt = upstream.awaitRequest(0);
            raw.socket.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> raw.in.read());
            assertTrue(attempt.clientEnd().isEmpty());
        }
    }

    @Test
    void resetOrCloseBeforeHeaders() throws Exception {
        upstream.enqueue(Fault.closeBeforeHeaders(), Fault.resetBeforeHeaders());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("GET", "/x", "sk-1", ""));
            assertEquals(-1, raw.in.read());
        }
        try (RawClient raw = RawClient.open()) {
            raw.send(request("GET", "/x", "sk-1", ""));
            assertThrows(SocketException.class, () -> raw.in.readAllBytes());
        }
    }

    @Test
    void sseEventsThenDone() throws Exception {
        upstream.always(Fault.sse().event("{\"n\":1}").event("{\"n\":2}").done());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            Response response = raw.readResponse();
            assertTrue(response.head.startsWith("HTTP/1.1 200 OK\r\n"));
            assertTrue(response.head.contains("Content-Type: text/event-stream"));
            assertEquals(List.of("data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n", "data: [DONE]\n\n"), response.chunks);
            assertTrue(response.complete);
        }
    }

    @Test
    void sseEventsThenResetWithoutATerminalEvent() throws Exception {
        upstream.always(Fault.sse().event("{\"n\":1}").event("{\"n\":2}").thenReset());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            Response response = raw.readResponse();
            assertEquals(List.of("data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n"), response.chunks);
            assertTrue(response.reset, "RST, not FIN");
            assertFalse(response.complete);
        }
    }

    @Test
    void sseEventsThenFinWithoutATerminalEvent() throws Exception {
        upstream.always(Fault.sse().event("{\"n\":1}").thenFin());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            Response response = raw.readResponse();
            assertEquals(List.of("data: {\"n\":1}\n\n"), response.chunks);
            assertFalse(response.reset);
            assertFalse(response.complete, "no last chunk");
        }
        assertEquals(ClientEnd.FIN, upstream.attempts().get(0).awaitClientEnd());
    }

    @Test
    void splitsAFrameMidJsonAndHonoursLineEndings() throws Exception {
        upstream.enqueue(Fault.sse().splitEvent("{\"text\":\"hello\"}", 5).done(),
                Fault.sse().lineEnding("\r").event("{}").done(),
                Fault.sse().lineEnding("\r\n").event("{}").event("error", "{\"type\":\"error\"}").thenFin());
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            assertEquals(List.of("data: {\"tex", "t\":\"hello\"}\n\n", "data: [DONE]\n\n"), raw.readResponse().chunks);
        }
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            assertEquals(List.of("data: {}\r\r", "data: [DONE]\r\r"), raw.readResponse().chunks);
        }
        try (RawClient raw = RawClient.open()) {
            raw.send(request("POST", "/x", "sk-1", "{}"));
            assertEquals(List.of("data: {}\r\n\r\n", "event: error\r\ndata: {\"type\":\"error\"}\r\n\r\n"),
                    raw.readResponse().chunks);
        }
    }

    @Test
    void readsChunkedRequestBodies() throws Exception {
        upstream.always(Fault.status(200).json("{}"));
        try (RawClient raw = RawClient.open()) {
            raw.send("POST /c HTTP/1.1\r\nHost: x\r\nx-api-key: sk-c\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: t\r\n\r\n");
            assertTrue(new String(raw.in.readAllBytes(), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
        }
        FaultAttempt attempt = upstream.awaitRequest(0);
        assertEquals("hello, world", attempt.bodyText());
        assertEquals("sk-c", attempt.token());
    }

    @Test
    void closesOrResetsRightAfterAccept() throws Exception {
        upstream.onAccept(AcceptFault.CLOSE, AcceptFault.RESET);
        try (RawClient raw = RawClient.open()) {
            assertEquals(-1, raw.in.read());
        }
        try (RawClient raw = RawClient.open()) {
            assertThrows(SocketException.class, () -> raw.in.read());
        }
        assertFalse(upstream.awaitAttempt(1).hasRequest());
    }

    @Test
    void neverReadsTheRequest() throws Exception {
        upstream.onAccept(AcceptFault.NEVER_READ);
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", upstream.port()))) {
            channel.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(1024 * 1024);
            long written = 0;
            // Without a reader the socket buffers fill and a non-blocking write accepts nothing more.
            while (written < 512L * 1024 * 1024) {
                chunk.clear();
                int n = channel.write(chunk);
                if (n == 0) {
                    break;
                }
                written += n;
            }
            assertTrue(written < 512L * 1024 * 1024, "the upstream read " + written + " bytes");
            assertFalse(upstream.awaitAttempt(0).hasRequest());
        }
    }

    @Test
    void aScriptThatThrowsIsReportedAsABrokenTest() {
        try (FaultUpstream local = FaultUpstream.start()) {
            local.always(connection -> {
                throw new IllegalStateException("test bug");
            });
            assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(local.uri("/x")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            Await.until("script failure recorded", () -> local.attempts().get(0).scriptFailure().isPresent());
            assertThrows(AssertionError.class, () -> local.afterEach(null));
        }
    }

    private int send(String path, String header, String value) throws Exception {
        return client.send(HttpRequest.newBuilder(upstream.uri(path)).header(header, value).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(upstream.uri(path)).timeout(Duration.ofSeconds(20)).build();
    }

    private static String request(String method, String path, String token, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** A response read from raw bytes: the head, the body's chunks as framed, and how it ended. */
    private record Response(String head, List<String> chunks, boolean complete, boolean reset) {}

    /** An HTTP/1.1 client on a plain socket, to see chunk boundaries, FIN and RST as they are. */
    private static final class RawClient implements AutoCloseable {
        final Socket socket;
        final InputStream in;

        private RawClient(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            socket.setSoTimeout(20_000);
        }

        static RawClient open() throws IOException {
            return new RawClient(new Socket("127.0.0.1", upstream.port()));
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        }

        void abort() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** Reads a response with a chunked body (or none) until the last chunk, FIN or RST. */
        Response readResponse() throws IOException {
            String head = line();
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                head += header;
            }
            List<String> chunks = new ArrayList<>();
            try {
                for (String size = line(); size != null; size = line()) {
                    int length = Integer.parseInt(size.trim(), 16);
                    if (length == 0) {
                        line();
                        return new Response(head, chunks, true, false);
                    }
                    chunks.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                    line();
                }
                return new Response(head, chunks, false, false);
            } catch (SocketException reset) {
                return new Response(head, chunks, false, true);
            }
        }

        /** A line with its CRLF kept (so the head reads naturally), or null at end of stream. */
        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1)
                    .replaceAll("\r\n$", "").concat(line.size() > 2 ? "\r\n" : "");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
