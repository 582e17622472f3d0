package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * Chat2API pass-through mode (issue #4) through the deployed WAR: {@code Tokens-Authorization} carries the license,
 * {@code Authorization} the caller's own vendor token. With the official Java OpenAI SDK on every vendor type, the
 * upstream sees the caller's token in that vendor's header form and nothing else of the caller's credentials; an
 * upstream error comes back byte for byte after exactly one attempt; every credential failure is the one 401 body.
 * The truncation of a stream that fails after it began is checked at the socket level in {@link Chat2ApiAbortIT}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class Chat2ApiIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    static final String CALLER = Canaries.CALLER_VENDOR_TOKEN;

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    /** One platform of each vendor type: prefix, model, its vendor's credential header and the value it must hold. */
    private record Vendor(String platform, String model, String header, String value, Reply whole, Reply stream) {}

    private static List<Vendor> vendors() {
        return List.of(
                new Vendor("fake", "gpt-4o", "Authorization", "Bearer " + CALLER,
                        Reply.status(200).json(PassThroughReplies.OPENAI_WHOLE),
                        PassThroughReplies.fixture("openai/openai-chat-stream-text.sse")),
                new Vendor("claude", "claude-sonnet-4", "x-api-key", CALLER,
                        Reply.status(200).json(PassThroughReplies.ANTHROPIC_WHOLE),
                        PassThroughReplies.fixture("anthropic/anthropic-stream-text.sse")),
                new Vendor("gemini", "gemini-2.5-flash", "x-goog-api-key", CALLER,
                        Reply.status(200).json(PassThroughReplies.GEMINI_WHOLE),
                        PassThroughReplies.fixture("gemini/gemini-stream-text.sse")),
                new Vendor("azure", "gpt-4o", "api-key", CALLER,
                        Reply.status(200).json(PassThroughReplies.OPENAI_WHOLE),
                        PassThroughReplies.fixture("azure-openai/azure-stream-text.sse")));
    }

    private OpenAIClient sdk(String platform, String license, String vendorToken) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(deployment + platform + "/v1")
                .apiKey(vendorToken)
                .putHeader("Tokens-Authorization", license)
                .maxRetries(0) // the gateway's own single attempt is what is under test
                .build();
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello pass-through").build();
    }

    @Test
    void sdkOnEveryVendorSendsTheCallersTokenInTheVendorsHeaderAndNeverAManagedOne() {
        for (Vendor vendor : vendors()) {
            upstream.reset();
            upstream.enqueue(vendor.whole(), vendor.stream());
            OpenAIClient client = sdk(vendor.platform(), "Bearer " + Canaries.LICENSE_ALL, CALLER);
            String whole = client.chat().completions().create(params(vendor.model()))
                    .choices().get(0).message().content().orElseThrow();
            assertFalse(whole.isBlank(), vendor.platform());

            ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                    .createStreaming(params(vendor.model()))) {
                stream.stream().forEach(accumulator::accumulate);
            }
            assertFalse(accumulator.chatCompletion().choices().get(0).message().content().orElseThrow().isBlank());

            assertEquals(2, upstream.requestCount(), vendor.platform());
            for (RecordedExchange seen : upstream.exchanges()) {
                assertEquals(List.of(vendor.value()), seen.headerValues(vendor.header()), vendor.platform());
                assertOnlyTheCallersToken(seen, vendor.header());
            }
        }
    }

    @Test
    void theVendorTokenMayComeWithoutBearerAndTheLicenseWithIt() {
        upstream.enqueue(Reply.status(200).json(PassThroughReplies.OPENAI_WHOLE));
        HttpResponse<String> response = new Api(deployment).send(request("/fake/v1/chat/completions",
                "Bearer " + Canaries.LICENSE_ALL, CALLER, Api.chat("gpt-4o", false, "x")));
        assertEquals(200, response.statusCode(), response::body);
        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals(List.of("Bearer " + CALLER), seen.headerValues("Authorization"));
        assertOnlyTheCallersToken(seen, "Authorization");
        String line = GatewayLog.accessLineOf(response);
        assertTrue(line.contains("caller=it-all ") && line.contains("mode=pass-through"), line);
    }

    /** Statuses 400/401/429/500 (and an empty 503), whole and streamed: the vendor's response, not the gateway's. */
    @Test
    void upstreamErrorsComeBackVerbatimAfterExactlyOneAttempt() {
        Api api = new Api(deployment);
        for (PassThroughReplies.Failure failure : PassThroughReplies.failures()) {
            for (boolean stream : new boolean[] {false, true}) {
                upstream.reset();
                upstream.always(failure.reply());
                HttpResponse<byte[]> response = sendBytes(api, request("/fake/v1/chat/completions",
                        Canaries.LICENSE_ALL, "Bearer " + CALLER, Api.chat("gpt-4o", stream, "fail")));
                String what = failure + (stream ? " streamed" : " whole");
                assertEquals(failure.status(), response.statusCode(), what);
                assertArrayEquals(failure.body(), response.body(), what);
                assertEquals(failure.contentType().map(PassThroughReplies::normalisedMediaType), response.headers().firstValue("Content-Type").map(
                        PassThroughReplies::normalisedMediaType), what);
                assertEquals(failure.retryAfter(), response.headers().firstValue("Retry-After"), what);
                for (String dropped : PassThroughReplies.UNFORWARDED_HEADERS) {
                    assertTrue(response.headers().firstValue(dropped).isEmpty(), dropped + " forwarded: " + what);
                }
                assertEquals(1, upstream.requestCount(), "attempts: " + what);
                String line = GatewayLog.accessLine(response.headers().firstValue("x-request-id").orElseThrow());
                assertTrue(line.contains("upstream_status=" + failure.status() + " ")
                        && line.contains("error=upstream_error_relayed"), line);
            }
        }
        // The SDK reads the relayed vendor error as it would the vendor's own.
        upstream.reset();
        upstream.always(PassThroughReplies.failures().get(2).reply());
        OpenAIServiceException sdkError = assertThrows(OpenAIServiceException.class,
                () -> sdk("fake", Canaries.LICENSE_ALL, CALLER).chat().completions().create(params("gpt-4o")));
        assertEquals(429, sdkError.statusCode());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void withNoUpstreamResponseToRelayTheGatewayAnswersInOpenAisShape() {
        Api api = new Api(deployment);
        HttpResponse<String> refused = api.send(request("/refused/v1/chat/completions", Canaries.LICENSE_ALL,
                CALLER, Api.chat("gpt-4o", true, "x")));
        assertError(refused, 502, "upstream_connect_error");

        // A redirect is never followed nor relayed: its Location would take the caller's token elsewhere.
        upstream.enqueue(Reply.status(307).header("Location", "http://127.0.0.1:9/steal").body(""));
        HttpResponse<String> redirected = api.send(request("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                CALLER, Api.chat("gpt-4o", false, "x")));
        assertError(redirected, 502, "upstream_unexpected_redirect");
        assertTrue(redirected.headers().firstValue("Location").isEmpty());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void everyCredentialFailureIsTheSame401AndNothingReachesTheUpstream() {
        Api api = new Api(deployment);
        String licenseFailure = api.post("/fake/v1/chat/completions", Canaries.UNKNOWN_KEY,
                Api.chat("gpt-4o", false, "x")).body();
        List<String[]> attempts = List.of(
                new String[] {Canaries.UNKNOWN_KEY, CALLER},                     // unknown license
                new String[] {"Bearer " + Canaries.LICENSE_EXPIRED, CALLER},     // expired license
                new String[] {"", CALLER},                                       // empty license
                new String[] {"Bearer ", CALLER},                                // the scheme alone
                new String[] {Canaries.APP_ID + ":" + Canaries.APP_KEY, CALLER}, // app credentials are not a license
                new String[] {Canaries.LICENSE_ALL, null},                       // no vendor token
                new String[] {Canaries.LICENSE_ALL, ""},                         // empty vendor token
                new String[] {Canaries.LICENSE_ALL, "Bearer"},                   // the scheme alone
                new String[] {Canaries.LICENSE_ALL, "Bearer  "});
        List<String> bodies = new ArrayList<>();
        for (String[] attempt : attempts) {
            HttpResponse<String> response = api.send(request("/fake/v1/chat/completions", attempt[0], attempt[1],
                    Api.chat("gpt-4o", false, "x")));
            assertError(response, 401, "invalid_api_key");
            bodies.add(response.body());
        }
        // Two vendor tokens, or two licenses: ambiguous, so refused.
        bodies.add(api.send(api.request("/fake/v1/chat/completions", null)
                .header("Tokens-Authorization", Canaries.LICENSE_ALL).header("Authorization", CALLER)
                .header("Authorization", "Bearer " + CALLER).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.chat("gpt-4o", false, "x"))).build()).body());
        bodies.add(api.send(api.request("/fake/v1/chat/completions", null)
                .header("Tokens-Authorization", Canaries.LICENSE_ALL).header("Tokens-Authorization",
                        Canaries.LICENSE_ALL).header("Authorization", CALLER).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.chat("gpt-4o", false, "x"))).build()).body());
        for (String body : bodies) {
            assertEquals(licenseFailure, body, "401 bodies differ by cause");
        }
        // The license's own rules still hold: a platform outside it looks like an unknown model.
        assertError(api.send(request("/fake/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY, CALLER,
                Api.chat("gpt-4o", false, "x"))), 404, "model_not_found");
        assertEquals(0, upstream.requestCount());
    }

    /** Managed (license) mode forwards none of the caller's credentials: only a pool token. */
    @Test
    void managedModeSendsOnlyAPoolToken() {
        upstream.always(Reply.status(200).json(PassThroughReplies.OPENAI_WHOLE));
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(deployment + "fake/v1")
                .apiKey(Canaries.LICENSE_ALL).maxRetries(0).build();
        client.chat().completions().create(params("gpt-4o"));
        client.chat().completions().create(params("gpt-4o"));
        for (RecordedExchange seen : upstream.exchanges()) {
            String authorization = seen.header("Authorization").orElseThrow();
            assertTrue(authorization.equals("Bearer " + Canaries.VENDOR_TOKEN_A)
                    || authorization.equals("Bearer " + Canaries.VENDOR_TOKEN_B), authorization);
            assertNoCallerSecret(seen);
        }
    }

    private HttpRequest request(String path, String tokensAuthorization, String authorization, String json) {
        HttpRequest.Builder builder = new Api(deployment).request(path, null)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        builder.header("Tokens-Authorization", tokensAuthorization);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }

    private static HttpResponse<byte[]> sendBytes(Api api, HttpRequest request) {
        try {
            return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                    .send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The caller's token only in {@code header}; no license, managed token or Tokens-Authorization anywhere. */
    static void assertOnlyTheCallersToken(RecordedExchange seen, String header) {
        seen.headers().forEach((name, values) -> values.forEach(value -> {
            assertFalse(value.contains(Canaries.VENDOR_TOKEN_A) || value.contains(Canaries.VENDOR_TOKEN_B),
                    "managed token sent in " + name);
            assertTrue(name.equalsIgnoreCase(header) || !value.contains(CALLER), "caller token in " + name);
        }));
        assertFalse(seen.bodyText().contains(CALLER), "caller token in the upstream body");
        assertNoCallerSecret(seen);
    }

    static void assertNoCallerSecret(RecordedExchange seen) {
        assertTrue(seen.headerValues("Tokens-Authorization").isEmpty(), "Tokens-Authorization forwarded");
        for (String secret : List.of(Canaries.LICENSE_ALL, Canaries.LICENSE_MOCK_ONLY, Canaries.APP_KEY,
                Canaries.sha256(Canaries.LICENSE_ALL))) {
            seen.headers().forEach((name, values) -> values.forEach(value ->
                    assertFalse(value.contains(secret), "caller credential forwarded in " + name)));
            assertFalse(new String(seen.body(), StandardCharsets.UTF_8).contains(secret), "credential in body");
        }
    }
}
