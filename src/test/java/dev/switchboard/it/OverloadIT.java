package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Overload protection and per-caller limits, decided before the body is read (RELIABILITY.md, bad-input table): the
 * global in-flight cap (503 {@code gateway_overloaded}), a caller's concurrency and requests-per-minute limits (429
 * {@code rate_limit_exceeded}) and the throttle on repeated credential failures from one address (429
 * {@code too_many_auth_failures}). Every refusal is OpenAI-shaped, carries Retry-After and names no key or caller.
 *
 * <p>This class deploys with its own tiny limits ({@link ItConfig#write(FakeUpstream, String, String)}); its state
 * dies with its deployment, so the address throttle it trips for 127.0.0.1 cannot reach other classes. Within the
 * class the throttle test runs last.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverloadIT {
    private static final int MAX_IN_FLIGHT = 4;
    private static final int FEW_AT_ONCE = 2;
    private static final int FEW_PER_MINUTE = 3;
    private static final int MAX_AUTH_FAILURES = 5;
    private static final Duration READ = Duration.ofSeconds(20);

    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream, """
                , { "name": "it-few-at-once", "keySha256": "%s", "platforms": ["*"], "limits": { "maxConcurrent": %d } }
                , { "name": "it-few-per-minute", "keySha256": "%s", "platforms": ["*"],
                    "limits": { "requestsPerMinute": %d } }
                """.formatted(Canaries.sha256(Canaries.LICENSE_FEW_AT_ONCE), FEW_AT_ONCE,
                Canaries.sha256(Canaries.LICENSE_FEW_PER_MINUTE), FEW_PER_MINUTE),
                // A window far longer than the test, so the throttle cannot lapse half-way on a slow machine.
                ", \"maxInFlight\": %d, \"maxAuthFailures\": %d, \"authFailureWindowMs\": 600000"
                        .formatted(MAX_IN_FLIGHT, MAX_AUTH_FAILURES));
        return Deployments.war();
    }

    private Api api() {
        return new Api(deployment);
    }

    private URI base() {
        return URI.create(deployment.toString());
    }

    @Test
    @Order(1)
    void theGlobalCapAnswers503BeforeCredentialsOrBodyUntilHeldStreamsEnd() {
        everyKindOfEndingGivesItsSlotBack();
        CountDownLatch release = new CountDownLatch(1);
        upstream.always(heldStream(release));
        List<RawStream> streams = hold(MAX_IN_FLIGHT, Canaries.LICENSE_ALL);
        try {
            // An unknown key and a body that never comes: only a decision made before both can answer at once.
            try (RawStream refused = RawStream.open(base(), postWithoutBody(Canaries.UNKNOWN_KEY), 0)) {
                String body = refused.readUntil("}}", 1, READ);
                String head = refused.text();
                assertTrue(head.startsWith("HTTP/1.1 503"), head);
                assertTrue(head.toLowerCase().contains("\r\nretry-after: 1\r\n"), head);
                assertTrue(head.toLowerCase().contains("\r\nconnection: close\r\n"), head);
                assertOpenAiError(body, "server_error", "gateway_overloaded");
            }
            HttpResponse<String> overloaded = api().get("/mock/v1/models", Canaries.LICENSE_ALL);
            Errors.assertError(overloaded, 503, "gateway_overloaded");
            assertEquals("1", overloaded.headers().firstValue("Retry-After").orElse(null));
            String line = GatewayLog.accessLineOf(overloaded);
            assertTrue(line.contains(" status=503 ") && line.contains(" error=gateway_overloaded"), line);

            assertEquals(200, api().get("/healthz", null).statusCode(), "/healthz is never limited");
        } finally {
            release.countDown();
            streams.forEach(this::finish);
        }
        // Every slot came back: the whole cap can be held again.
        CountDownLatch again = new CountDownLatch(1);
        upstream.always(heldStream(again));
        List<RawStream> second = hold(MAX_IN_FLIGHT, Canaries.LICENSE_ALL);
        again.countDown();
        second.forEach(this::finish);
    }

    /** One request of each outcome, one at a time: a slot any of them kept would leave less than the cap. */
    private void everyKindOfEndingGivesItsSlotBack() {
        Api api = api();
        assertEquals(200, api.get("/mock/v1/models", Canaries.LICENSE_ALL).statusCode());
        assertEquals(405, api.get("/fake/v1/chat/completions", Canaries.LICENSE_ALL).statusCode());
        assertEquals(400, api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, "{").statusCode());
        assertEquals(404, api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("no-such-model", false, "hi")).statusCode());
        upstream.enqueue(Reply.status(500).json("{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}"));
        assertEquals(500, api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "hi")).statusCode());
        upstream.enqueue(Reply.sse().event(chunk("whole")).done());
        assertEquals(200, api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", true, "hi")).statusCode());

        upstream.enqueue(Reply.sse().forever(i -> chunk("tick-" + i), Duration.ofMillis(50)));
        int index = upstream.requestCount();
        try (RawStream leaving = RawStream.open(base(), RawStream.post(base(), "/fake/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "leave")), 0)) {
            leaving.readUntil("tick-", 2, READ);
        }
        assertEquals(RecordedExchange.Ending.CLIENT_GONE, upstream.awaitExchange(index).awaitEnd(READ));
    }

    @Test
    @Order(2)
    void aCallersConcurrencyLimitAnswers429AndLeavesOtherCallersAlone() {
        CountDownLatch release = new CountDownLatch(1);
        upstream.always(heldStream(release));
        List<RawStream> streams = hold(FEW_AT_ONCE, Canaries.LICENSE_FEW_AT_ONCE);
        try {
            HttpResponse<String> refused = api().post("/fake/v1/chat/completions", Canaries.LICENSE_FEW_AT_ONCE,
                    Api.chat("gpt-4o", true, "one too many"));
            assertRateLimited(refused, "rate_limit_exceeded", "it-few-at-once");
            String line = GatewayLog.accessLineOf(refused);
            assertTrue(line.contains(" status=429 ") && line.contains(" error=rate_limit_exceeded"), line);

            assertEquals(200, api().get("/mock/v1/models", Canaries.LICENSE_ALL).statusCode(),
                    "another caller is not limited by this one's streams");
        } finally {
            release.countDown();
            streams.forEach(this::finish);
        }
        CountDownLatch again = new CountDownLatch(1);
        upstream.always(heldStream(again));
        List<RawStream> second = hold(FEW_AT_ONCE, Canaries.LICENSE_FEW_AT_ONCE);
        again.countDown();
        second.forEach(this::finish);
    }

    @Test
    @Order(3)
    void aCallersRequestsPerMinuteAnswer429WithTheWaitForTheNextToken() {
        for (int i = 0; i < FEW_PER_MINUTE; i++) {
            assertEquals(200, api().get("/mock/v1/models", Canaries.LICENSE_FEW_PER_MINUTE).statusCode());
        }
        HttpResponse<String> refused = api().get("/mock/v1/models", Canaries.LICENSE_FEW_PER_MINUTE);

        assertRateLimited(refused, "rate_limit_exceeded", "it-few-per-minute");
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60 / FEW_PER_MINUTE, "one token every 20 s: " + retryAfter);
        String line = GatewayLog.accessLineOf(refused);
        assertTrue(line.contains(" caller=it-few-per-minute ") && line.contains(" error=rate_limit_exceeded"), line);
        assertEquals(200, api().get("/mock/v1/models", Canaries.LICENSE_ALL).statusCode());
    }

    /** Last: from here on 127.0.0.1 is refused for the rest of this deployment. */
    @Test
    @Order(4)
    void repeatedCredentialFailuresFromOneAddressAreRefusedWithoutCheckingCredentials() throws Exception {
        for (int i = 0; i < MAX_AUTH_FAILURES; i++) {
            Errors.assertError(api().get("/mock/v1/models", Canaries.UNKNOWN_KEY), 401, "invalid_api_key");
        }

        HttpResponse<String> throttled = api().get("/mock/v1/models", Canaries.UNKNOWN_KEY);
        assertRateLimited(throttled, "too_many_auth_failures", null);
        long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 600, "Retry-After " + retryAfter);
        String line = GatewayLog.accessLineOf(throttled);
        assertTrue(line.contains(" status=429 ") && line.contains(" error=too_many_auth_failures"), line);

        assertRateLimited(api().get("/mock/v1/models", Canaries.LICENSE_ALL), "too_many_auth_failures", null);
        assertRateLimited(api().post("/mock/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("mock-echo", false, "hi")), "too_many_auth_failures", null);
        assertEquals(200, api().get("/healthz", null).statusCode());

        // Another source address, with a good key, is not affected.
        try (RawStream other = RawStream.openFrom(otherLoopbackAddress(), base(), RawStream.post(base(),
                "/mock/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("mock-echo", false, "hello"),
                "Connection: close"))) {
            String body = other.readToEnd(READ);
            assertTrue(other.text().startsWith("HTTP/1.1 200"), other.text());
            assertTrue(body.contains("hello"), body);
        }
    }

    private static InetAddress otherLoopbackAddress() throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 2}); // Linux routes all of 127/8 to loopback
    }

    /** Opens {@code count} streams for {@code key}, each retried until admitted (slots come back asynchronously). */
    private List<RawStream> hold(int count, String key) {
        List<RawStream> streams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int number = i;
            streams.add(Await.value("stream " + number + " admitted", () -> tryHold(key), READ));
        }
        return streams;
    }

    /** A stream whose first event arrived, or null (closed) when the gateway refused it. */
    private RawStream tryHold(String key) {
        RawStream stream = RawStream.open(base(), RawStream.post(base(), "/fake/v1/chat/completions", key,
                Api.chat("gpt-4o", true, "hold")), 0);
        stream.readUntil("\"", 1, READ); // the first of a refusal's JSON or of the first event
        if (stream.text().startsWith("HTTP/1.1 200")) {
            stream.readUntil("held", 1, READ);
            return stream;
        }
        assertTrue(stream.text().startsWith("HTTP/1.1 503") || stream.text().startsWith("HTTP/1.1 429"),
                stream.text());
        stream.close();
        return null;
    }

    private void finish(RawStream stream) {
        try (stream) {
            assertTrue(stream.readUntil("[DONE]", 1, READ).contains("released"));
        }
    }

    private static Reply heldStream(CountDownLatch release) {
        return Reply.sse().event(chunk("held")).await(release).event(chunk("released")).done();
    }

    private static String chunk(String content) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}";
    }

    /** Headers announcing a body that is never sent. */
    private String postWithoutBody(String key) {
        URI base = base();
        return "POST " + base.getPath().replaceAll("/$", "") + "/fake/v1/chat/completions HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + "Authorization: Bearer " + key + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n";
    }

    /** 429, rate_limit_error with {@code code}, Retry-After, and no key, digest or caller name in the body. */
    private static void assertRateLimited(HttpResponse<String> response, String code, String callerName) {
        JsonNode error = Errors.assertError(response, 429, code);
        assertEquals("rate_limit_error", error.path("type").asText());
        assertTrue(error.path("param").isNull(), response.body());
        long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
        for (String secret : Canaries.all()) {
            assertFalse(response.body().contains(Canaries.sha256(secret)), "a key digest in " + response.body());
        }
        if (callerName != null) {
            assertFalse(response.body().contains(callerName), "the caller's name in " + response.body());
        }
    }

    private static void assertOpenAiError(String body, String type, String code) {
        Errors.assertClean(body);
        JsonNode error = Api.json(body).path("error");
        assertEquals(type, error.path("type").asText(), body);
        assertEquals(code, error.path("code").asText(), body);
        assertTrue(error.has("param") && error.path("param").isNull(), body);
        assertTrue(error.path("message").isTextual(), body);
    }
}
