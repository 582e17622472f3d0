package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chat completions through the deployed WAR to a fake OpenAI-compatible upstream: round trips, what is and is not
 * forwarded in each direction, and what each upstream failure becomes for the caller.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChatCompletionsIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    private Api api() {
        return new Api(deployment);
    }

    private static final String COMPLETION = """
            {"id":"chatcmpl-up1","object":"chat.completion","created":1767225600,"model":"gpt-4o-2024-08-06",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hi!","refusal":null},"logprobs":null,\
            "finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";

    @Test
    void nonStreamingRoundTripMapsTheModelAndRelaysTheBody() {
        upstream.enqueue(Reply.status(200).json(COMPLETION));
        HttpResponse<String> response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"top_k\":3}");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(response.headers().firstValue("x-request-id").orElse("").startsWith("req_"));
        assertEquals(Api.json(COMPLETION), Api.json(response.body()));

        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("POST", seen.method());
        assertEquals("/v1/chat/completions", seen.path());
        JsonNode sent = Api.json(seen.bodyText());
        assertEquals("gpt-4o-2024-08-06", sent.path("model").asText(), "model renamed for the upstream");
        assertEquals(3, sent.path("top_k").asInt(), "unknown fields reach OpenAI-compatible upstreams");
        assertEquals("hello", sent.path("messages").path(0).path("content").asText());
    }

    @Test
    void streamingRoundTripRelaysEveryEventUntouched() {
        List<String> events = List.of(
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Bon\u00e9 \u65e5\u672c\"},\"finish_reason\":null}]}",
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        Reply reply = Reply.sse().comment("keep-alive");
        events.forEach(reply::event);
        upstream.enqueue(reply.done());

        HttpResponse<String> response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o-mini", true, "hi"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> received = Api.dataEvents(response.body());
        assertEquals(4, received.size(), response.body());
        assertEquals(events, received.subList(0, 3), "events pass through byte for byte");
        assertEquals("[DONE]", received.get(3));
        assertFalse(response.body().contains("event:") || response.body().contains("\nid:"), response.body());
        assertEquals("text/event-stream", upstream.awaitExchange(0).header("Accept").orElse(""));
    }

    /**
     * The upstream connection reads and writes through buffers of 4 KiB (UpstreamClient): a request, an answer and a
     * single SSE event many times that size cross whole and in order, in more reads and writes.
     */
    @Test
    void bodiesAndEventsManyTimesTheUpstreamBufferCrossWhole() {
        String question = numbered("q", 3_000);   // ~30 KB, under the request limit
        String answer = numbered("a", 20_000);    // ~200 KB
        upstream.enqueue(Reply.status(200).json(COMPLETION.replace("\"Hi!\"", "\"" + answer + "\"")));
        HttpResponse<String> whole = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, question));
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals(answer, Api.json(whole.body()).path("choices").path(0).path("message").path("content").asText());
        assertEquals(question,
                Api.json(upstream.awaitExchange(0).bodyText()).path("messages").path(0).path("content").asText());

        String bigEvent = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + numbered("e", 5_000) + "\"},"
                + "\"finish_reason\":null}]}";   // ~50 KB in one event
        upstream.enqueue(Reply.sse().event(bigEvent).done());
        HttpResponse<String> stream = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", true, "hi"));
        assertEquals(200, stream.statusCode(), stream.body());
        assertEquals(List.of(bigEvent, "[DONE]"), Api.dataEvents(stream.body()));
    }

    /** "p0 p1 p2 …": text in which a lost, repeated or reordered piece shows. */
    private static String numbered(String prefix, int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(prefix).append(i).append(' ');
        }
        return text.toString();
    }

    @Test
    void managedTokensAreUsedRoundRobinAndCallerCredentialsNeverForwarded() {
        upstream.always(Reply.status(200).json(COMPLETION));
        for (int i = 0; i < 2; i++) {
            var request = api().request("/fake/v1/chat/completions", Canaries.LICENSE_ALL)
                    .header("Content-Type", "application/json")
                    // No Tokens-Authorization here: it selects Chat2API pass-through (Chat2ApiIT checks that mode).
                    .header("OpenAI-Organization", "org-caller")
                    .header("Cookie", "session=caller-cookie")
                    .header("X-Forwarded-Host", "evil.example")
                    .header("X-Custom-Caller", "caller-value")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Api.chat("gpt-4o", false, "x")))
                    .build();
            assertEquals(200, api().send(request).statusCode());
        }
        List<String> tokens = List.of(
                upstream.awaitExchange(0).header("Authorization").orElseThrow(),
                upstream.awaitExchange(1).header("Authorization").orElseThrow());
        assertTrue(tokens.containsAll(List.of("Bearer " + Canaries.VENDOR_TOKEN_A, "Bearer " + Canaries.VENDOR_TOKEN_B)),
                "both pool tokens used, one each: " + tokens);
        for (RecordedExchange seen : upstream.exchanges()) {
            seen.headers().forEach((name, values) -> {
                for (String value : values) {
                    assertFalse(value.contains(Canaries.LICENSE_ALL), "license forwarded in " + name);
                    assertFalse(value.contains("caller"), "caller header forwarded: " + name + ": " + value);
                    assertFalse(value.contains("evil.example"), "forwarded host leaked: " + name);
                }
            });
            assertTrue(seen.headerValues("Tokens-Authorization").isEmpty());
            assertTrue(seen.headerValues("Cookie").isEmpty());
        }
    }

    @Test
    void callersHopByHopHeadersNeverReachTheUpstream() {
        upstream.enqueue(Reply.status(200).json(COMPLETION));
        java.net.URI base = java.net.URI.create(deployment.toString());
        try (RawStream raw = RawStream.open(base, RawStream.post(base, "/fake/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"),
                "Connection: keep-alive, x-caller-hop", "x-caller-hop: hop-value", "Keep-Alive: timeout=5",
                "TE: trailers", "Proxy-Authorization: Basic Y2FsbGVyOnNlY3JldA=="), 0)) {
            raw.readUntil("chatcmpl-up1", 1, Duration.ofSeconds(10));
        }
        RecordedExchange seen = upstream.awaitExchange(0);
        for (String name : List.of("x-caller-hop", "Keep-Alive", "TE", "Proxy-Authorization")) {
            assertTrue(seen.headerValues(name).isEmpty(), name + " reached the upstream: " + seen.headers());
        }
        assertFalse(seen.headers().toString().contains("hop-value"), seen.headers().toString());
    }

    @Test
    void hopByHopAndUnlistedUpstreamHeadersAreNotRelayed() {
        upstream.enqueue(Reply.status(200).json(COMPLETION)
                .header("Connection", "x-hop")
                .header("x-hop", "1")
                .header("Set-Cookie", "upstream=1")
                .header("x-upstream-internal", "secret-route"));
        HttpResponse<String> response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "x"));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("x-hop").isEmpty());
        assertTrue(response.headers().firstValue("Set-Cookie").isEmpty());
        assertTrue(response.headers().firstValue("x-upstream-internal").isEmpty());
    }

    @Test
    void modelsListsTheConfiguredPublicNames() {
        HttpResponse<String> response = api().get("/fake/v1/models", Canaries.LICENSE_ALL);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode list = Api.json(response.body());
        assertEquals("list", list.path("object").asText());
        assertEquals(List.of("gpt-4o", "gpt-4o-mini"),
                List.of(list.path("data").get(0).path("id").asText(), list.path("data").get(1).path("id").asText()));
        assertEquals("fake", list.path("data").get(0).path("owned_by").asText());
        assertEquals(0, upstream.requestCount(), "the list comes from configuration");
    }

    @Test
    void platformWithoutModelMapPassesAnyModelUnchanged() {
        upstream.enqueue(Reply.status(200).json(COMPLETION));
        HttpResponse<String> response = api().post("/open/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("some-new-model", false, "x"));
        assertEquals(200, response.statusCode(), response.body());
        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("/open/v1/chat/completions", seen.path());
        assertEquals("some-new-model", Api.json(seen.bodyText()).path("model").asText());
    }

    @Test
    void mockPlatformAnswersLocally() {
        HttpResponse<String> response = api().post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY,
                Api.chat("mock-echo", false, "echo these words"));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode completion = Api.json(response.body());
        assertEquals("echo these words", completion.path("choices").get(0).path("message").path("content").asText());
        assertEquals(3, completion.path("usage").path("completion_tokens").asInt());

        HttpResponse<String> stream = api().post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY,
                "{\"model\":\"mock-echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"one two\"}]}");
        List<String> events = Api.dataEvents(stream.body());
        assertEquals(6, events.size(), stream.body()); // role, "one", " two", finish, usage, [DONE]
        assertEquals("[DONE]", events.get(5));
        assertEquals(0, Api.json(events.get(4)).path("choices").size());
        assertEquals(0, upstream.requestCount());
    }

    // ---- upstream failures (managed mode, no retries yet) ----

    @Test
    void upstreamBadRequestIsRelayedWithItsMessage() {
        upstream.enqueue(Reply.status(400).json("{\"error\":{\"message\":\"Invalid value for 'temperature'.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\"}}"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"));
        JsonNode error = assertError(response, 400, "invalid_value");
        assertEquals("temperature", error.path("param").asText());
        assertEquals("Invalid value for 'temperature'.", error.path("message").asText());
    }

    @Test
    void vendorRejectingTheGatewaysTokenIsA502NeverA401() {
        upstream.always(Reply.status(401).json("{\"error\":{\"message\":\"Incorrect API key provided: sk-canary-vendor-a-9e4410\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"));
        assertError(response, 502, "upstream_credentials_exhausted");
        assertAttempts(response, 2, "a refused token is set aside and the other one tried");
        assertEquals(java.util.Set.of("Bearer " + Canaries.VENDOR_TOKEN_A, "Bearer " + Canaries.VENDOR_TOKEN_B),
                java.util.Set.of(upstream.awaitExchange(0).header("Authorization").orElseThrow(),
                        upstream.awaitExchange(1).header("Authorization").orElseThrow()));
    }

    @Test
    void upstreamRateLimitOnEveryTokenAnswers429WithTheShortestCooldown() {
        String limited = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}";
        upstream.enqueue(Reply.status(429).header("Retry-After", "7").json(limited),
                Reply.status(429).header("Retry-After", "3").json(limited));
        // "ratelimited" keeps the production cooldown bounds (1-60 s), so both of its tokens really rest.
        var response = api().post("/ratelimited/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "x"));
        assertError(response, 429, "rate_limit_exceeded");
        assertEquals("3", response.headers().firstValue("Retry-After").orElse(""), "the shorter of 7 and 3 s");
        assertAttempts(response, 2, "a rate-limited token is left for the other one at once");

        var again = api().post("/ratelimited/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "x"));
        assertError(again, 429, "rate_limit_exceeded");
        assertEquals(2, upstream.requestCount(), "while both tokens cool down, nothing is sent upstream");
        int retryAfter = Integer.parseInt(again.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1 && retryAfter <= 3, "the remaining cooldown: " + retryAfter);
    }

    @Test
    void upstreamServerErrorKeepsItsStatusClass() {
        upstream.always(Reply.status(503).body("<html><body>Service Unavailable at 10.0.0.7</body></html>")
                .header("Content-Type", "text/html"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"));
        JsonNode error = assertError(response, 503, "upstream_error");
        assertFalse(error.path("message").asText().contains("10.0.0.7"), "upstream HTML is never relayed");
        // 1 + maxRetries (2): the gateway's retries, with backoff; HttpClient's own are off.
        assertAttempts(response, 3, "a 5xx is retried");
        assertEquals(3, upstream.requestCount());
    }

    @Test
    void htmlWithStatus200IsAnInvalidResponse() {
        upstream.always(Reply.status(200).header("Content-Type", "text/html").body("<html>login portal</html>"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"));
        assertError(response, 502, "upstream_invalid_response");
        assertAttempts(response, 2, "an invalid response is retried once");
    }

    @Test
    void redirectsAreNeverFollowed() {
        upstream.enqueue(Reply.status(302).header("Location", upstream.uri("/elsewhere").toString()));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"));
        assertError(response, 502, "upstream_unexpected_redirect");
        assertEquals(1, upstream.requestCount(), "the Location was not requested");
    }

    @Test
    void connectRefusedIsA502() {
        var response = api().post("/refused/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("m", false, "x"));
        assertError(response, 502, "upstream_connect_error");
    }

    @Test
    void resetBeforeAnyResponseIsA502() {
        upstream.always(Reply.status(200).abort());
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"));
        assertError(response, 502, "upstream_reset");
        assertAttempts(response, 3, "a reset is retried");
        assertEquals(3, upstream.requestCount(), "the gateway's attempts only: HttpClient's own retries are off");
    }

    @Test
    void streamCutAfterCommitEndsWithAnInBandErrorAndNoDone() {
        // The upstream dies only once the client holds the first event: the stream is committed by then.
        java.util.concurrent.CountDownLatch clientHasFirst = new java.util.concurrent.CountDownLatch(1);
        upstream.enqueue(Reply.sse()
                .event("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"partial\"},\"finish_reason\":null}]}")
                .await(clientHasFirst)
                .abort());
        java.net.URI base = java.net.URI.create(deployment.toString());
        try (RawStream stream = RawStream.open(base, RawStream.post(base, "/fake/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "x")), 0)) {
            stream.readUntil("partial", 1, Duration.ofSeconds(10));
            clientHasFirst.countDown();
            String body = stream.readToEnd(Duration.ofSeconds(10));
            assertTrue(stream.text().startsWith("HTTP/1.1 200"), stream.text());
            List<String> events = Api.dataEvents(body);
            assertEquals(2, events.size(), body);
            JsonNode error = Api.json(events.get(1)).path("error");
            assertTrue(List.of("upstream_stream_truncated", "upstream_stream_interrupted")
                    .contains(error.path("code").asText()), body);
            assertEquals("server_error", error.path("type").asText());
            assertFalse(body.contains("[DONE]"));
        }
    }

    @Test
    void streamEndingWithoutDoneIsReportedAsTruncated() {
        upstream.enqueue(Reply.sse()
                .event("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "x"));
        assertEquals(200, response.statusCode());
        List<String> events = Api.dataEvents(response.body());
        assertEquals(2, events.size(), response.body());
        assertEquals("upstream_stream_truncated", Api.json(events.get(1)).path("error").path("code").asText());
    }

    /**
     * Managed streams commit on the first content-bearing event (RELIABILITY.md "The commit point"): a stream that
     * breaks before saying anything is still a failure before commit, answered with a status and a JSON body.
     */
    @Test
    void streamEndingBeforeAnyContentIsRetriedAndTheClientSeesOnlyTheGoodStream() {
        upstream.enqueue(Reply.sse()
                .event("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"),
                Reply.sse().event("{\"id\":\"c2\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"second try\"},\"finish_reason\":\"stop\"}]}").done());
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "x"));
        assertEquals(200, response.statusCode(), response.body());
        assertAttempts(response, 2, "the first stream broke before any content");
        List<String> events = Api.dataEvents(response.body());
        assertEquals(2, events.size(), response.body());
        assertEquals("c2", Api.json(events.get(0)).path("id").asText(), "nothing of the failed attempt reached the client");
        assertEquals("[DONE]", events.get(1));
    }

    @Test
    void streamEndingBeforeAnyContentEveryTimeIsAnErrorResponseNotABrokenStream() {
        upstream.always(Reply.sse()
                .event("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "x"));
        assertEquals(502, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("upstream_stream_truncated", Api.json(response.body()).path("error").path("code").asText());
        assertAttempts(response, 2, "a broken start is an invalid response: retried once");
    }

    @Test
    void anErrorEventBeforeAnyContentIsAnErrorResponseNotABrokenStream() {
        upstream.always(Reply.sse()
                .event("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}")
                .event("{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "x"));
        assertEquals(502, response.statusCode(), response.body());
        JsonNode error = Api.json(response.body()).path("error");
        assertEquals("upstream_error", error.path("code").asText());
        assertEquals("server_error", error.path("type").asText());
        assertAttempts(response, 3, "'200, then an error event' is the vendor failing: retried like a 5xx");
    }

    @Test
    void errorStatusOnAStreamRequestIsAPlainJsonError() {
        upstream.enqueue(Reply.status(404).json("{\"error\":{\"message\":\"The model does not exist\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}"));
        var response = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "x"));
        assertError(response, 404, "model_not_found");
    }

    @Test
    void upstreamThatNeverAnswersHeadersIsCutAtTheFirstByteTimeout() {
        var release = new java.util.concurrent.CountDownLatch(1);
        upstream.enqueue(Reply.status(200).await(release, Duration.ofSeconds(30)).json(COMPLETION));
        long started = System.nanoTime();
        var response = api().post("/impatient/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("m", false, "x"));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertError(response, 504, "upstream_timeout");
        assertTrue(tookMs >= ItConfig.FIRST_BYTE_MS, "answered before the timeout: " + tookMs + " ms");
        // Still waiting to answer, the upstream must find its connection closed by the gateway.
        assertEquals(RecordedExchange.Ending.CLIENT_GONE, upstream.awaitExchange(0).awaitEnd(Duration.ofSeconds(5)),
                "the abandoned upstream exchange was closed");
        release.countDown();
    }

    @Test
    void statsNeedCredentialsAndShowTheUpstreamSideIdleAfterARequest() {
        upstream.enqueue(Reply.status(200).json(COMPLETION));
        assertEquals(200, api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", false, "x"))
                .statusCode());
        var anonymous = api().get("/healthz/stats", null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("invalid_api_key", Api.json(anonymous.body()).path("error").path("code").asText());

        Leaks.awaitNone(api());
        JsonNode stats = Leaks.stats(api());
        for (String counter : new String[] {"upstreamExchanges", "upstreamConnectionsLeased",
                "upstreamConnectionsPending", "upstreamConnectionsAvailable", "timerTasks", "jvmThreads"}) {
            assertTrue(stats.path(counter).isInt(), counter + " in " + stats);
        }
        assertTrue(stats.path("heapUsedAfterGcBytes").isIntegralNumber(), "heapUsedAfterGcBytes in " + stats);
    }

    private static void assertAttempts(java.net.http.HttpResponse<String> response, int attempts, String why) {
        assertEquals(Integer.toString(attempts), response.headers().firstValue("x-switchboard-attempts").orElse(""),
                why + "; " + response.body());
        assertTrue(response.headers().firstValue("x-switchboard-upstream").orElse("").matches("[a-z-]+#[0-9]+"),
                "the token alias, never the token: " + response.headers().map());
    }
}
