package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.switchboard.openai.OpenApiSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model-routed prefix end to end: the official OpenAI Java SDK with one base URL,
 * {@code <deployment>openai-compatible/v1}, reaches the OpenAI-compatible {@code fake}, the Anthropic {@code claude}
 * or the Gemini {@code gemini} platform depending only on the model name, streaming and not. The fake upstream
 * replays the recorded native traffic of {@code src/test/resources/fixtures}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ModelRoutingIT {
    private static final String ROUTER = "openai-compatible";

    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    @Test
    void openAiModelReachesTheOpenAiPlatformWithoutStreaming() {
        upstream.enqueue(Reply.status(200).json("{\"id\":\"chatcmpl-r\",\"object\":\"chat.completion\","
                + "\"created\":1767225600,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"routed to openai\",\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,"
                + "\"total_tokens\":6}}"));

        ChatCompletion completion = client().chat().completions().create(params("gpt-4o"));

        assertEquals("routed to openai", completion.choices().get(0).message().content().orElseThrow());
        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("POST", seen.method());
        assertEquals("/v1/chat/completions", seen.path(), "the fake platform's base URL");
        assertEquals("gpt-4o-2024-08-06", Api.json(seen.bodyText()).path("model").asText(), "the fake's model map");
        assertNoCallerCredentialsBut(seen, "Authorization");
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void openAiModelReachesTheOpenAiPlatformStreaming() {
        Reply reply = Reply.sse();
        List.of("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Bon\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"jour\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}")
                .forEach(reply::event);
        upstream.enqueue(reply.done());

        ChatCompletion whole = stream(params("gpt-4o"));

        assertEquals("Bonjour", whole.choices().get(0).message().content().orElseThrow());
        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("/v1/chat/completions", seen.path());
        JsonNode sent = Api.json(seen.bodyText());
        assertTrue(sent.path("stream").asBoolean(), sent.toString());
        assertEquals("gpt-4o-2024-08-06", sent.path("model").asText());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void claudeModelReachesTheAnthropicPlatformStreaming() {
        upstream.enqueue(Reply.sse().write(fixture("/fixtures/anthropic/anthropic-stream-text.sse")));

        ChatCompletion whole = stream(params("claude-sonnet-4"));

        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals("Bonjour ! Café 日本語 🎉 «ok»", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertEquals("claude-sonnet-4", whole.model(), "the caller's model name");
        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("POST", seen.method());
        assertEquals("/anthropic/v1/messages", seen.path());
        assertEquals(List.of(Canaries.VENDOR_TOKEN_A), seen.headerValues("x-api-key"));
        JsonNode sent = Api.json(seen.bodyText());
        assertEquals("claude-sonnet-4-20250514", sent.path("model").asText(), "the claude platform's model map");
        assertTrue(sent.path("stream").asBoolean(), sent.toString());
        assertNoCallerCredentialsBut(seen);
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void geminiModelReachesTheGeminiPlatformStreaming() {
        upstream.enqueue(Reply.sse().write(fixture("/fixtures/gemini/gemini-stream-text.sse")));

        ChatCompletion whole = stream(params("gemini-2.5-flash"));

        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals("Bonjour ! Ça va très bien 🎉 日本語 «fin»", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertEquals("gemini-2.5-flash", whole.model());
        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("POST", seen.method());
        assertEquals("/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent", seen.path());
        assertEquals(List.of(Canaries.VENDOR_TOKEN_B), seen.headerValues("x-goog-api-key"));
        assertNoCallerCredentialsBut(seen);
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void unknownModelIsThePlatformsModelNotFound() {
        String chat = Api.chat("no-such-model", false, "hi");
        HttpResponse<String> routed = api().post("/" + ROUTER + "/v1/chat/completions", Canaries.LICENSE_ALL, chat);
        HttpResponse<String> direct = api().post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, chat);

        assertError(routed, 404, "model_not_found");
        OpenApiSchemas.assertValid("ErrorResponse", routed.body());
        assertEquals(direct.statusCode(), routed.statusCode());
        assertEquals(direct.body(), routed.body(), "byte for byte the body a platform gives");
        assertEquals(direct.headers().firstValue("Content-Type"), routed.headers().firstValue("Content-Type"));

        // A model another platform of the gateway serves, but none of the router's: the same 404.
        assertError(api().post("/" + ROUTER + "/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("mock-echo", true, "hi")), 404, "model_not_found");

        NotFoundException thrown = assertThrows(NotFoundException.class,
                () -> client().chat().completions().create(params("no-such-model")));
        assertEquals(404, thrown.statusCode());
        assertEquals(0, upstream.requestCount(), "nothing reached an upstream");
    }

    @Test
    void aCallerWithoutTheRoutersPlatformsGetsModelNotFound() {
        HttpResponse<String> response = api().post("/" + ROUTER + "/v1/chat/completions",
                Canaries.LICENSE_MOCK_ONLY, Api.chat("gpt-4o", false, "hi"));

        assertError(response, 404, "model_not_found");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void theUnionListsOnlyTheModelsAnAppMayUseAndRoutingRefusesTheRest() {
        String appCredential = Canaries.APP_ID + ":" + Canaries.APP_KEY;
        // it-app may use platforms fake and mock, models mock-* and gpt-4o: of the router's models only gpt-4o.
        HttpResponse<String> listed = api().get("/" + ROUTER + "/v1/models", appCredential);
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode data = Api.json(listed.body()).path("data");
        assertEquals(1, data.size(), listed.body());
        assertEquals("gpt-4o", data.get(0).path("id").asText());

        HttpResponse<String> refused = api().post("/" + ROUTER + "/v1/chat/completions", appCredential,
                Api.chat("gpt-4o-mini", false, "x"));
        // The same name where it truly does not exist: the mock platform serves only mock-echo.
        HttpResponse<String> unknown = api().post("/mock/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o-mini", false, "x"));
        assertError(refused, 404, "model_not_found");
        assertError(unknown, 404, "model_not_found");
        assertEquals(unknown.body(), refused.body(), "a forbidden model looks exactly like a missing one");
        assertEquals(0, upstream.requestCount(), "a model outside the app's list never reaches an upstream");
    }

    @Test
    void modelsListTheUnionWithTheOwningPlatform() {
        Map<String, String> owners = new LinkedHashMap<>();
        for (Model model : client().models().list().autoPager()) {
            owners.put(model.id(), model.ownedBy());
        }

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("gpt-4o", "fake");
        expected.put("gpt-4o-mini", "fake");
        expected.put("claude-sonnet-4", "claude");
        expected.put("gemini-2.5-flash", "gemini");
        assertEquals(expected, owners);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(owners.keySet()), "in the router's order");

        HttpResponse<String> raw = api().get("/" + ROUTER + "/v1/models", Canaries.LICENSE_ALL);
        assertEquals(200, raw.statusCode(), raw.body());
        OpenApiSchemas.assertValid("ListModelsResponse", raw.body());

        assertError(api().get("/" + ROUTER + "/v1/models", Canaries.LICENSE_MOCK_ONLY), 404, "unknown_platform");
    }

    @Test
    void theAccessLineNamesThePlatformActuallyUsed() {
        upstream.enqueue(Reply.sse().write(fixture("/fixtures/anthropic/anthropic-stream-text.sse")));
        HttpResponse<String> response = api().post("/" + ROUTER + "/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("claude-sonnet-4", true, "log me"));
        assertEquals(200, response.statusCode(), response.body());
        String line = GatewayLog.accessLineOf(response);

        assertTrue(line.contains("platform=claude "), line);
        assertTrue(line.contains("model=claude-sonnet-4 "), line);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Api api() {
        return new Api(deployment);
    }

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(deployment.toString() + ROUTER + "/v1")
                .apiKey(Canaries.LICENSE_ALL)
                .maxRetries(0)
                .build();
    }

    private ChatCompletion stream(ChatCompletionCreateParams params) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion();
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("be brief")
                .addUserMessage("Say hello")
                .build();
    }

    /** The caller's license in no header, and {@code Authorization} only where the vendor uses it (OpenAI). */
    private static void assertNoCallerCredentialsBut(RecordedExchange seen, String... allowed) {
        if (allowed.length == 0) {
            assertTrue(seen.headerValues("Authorization").isEmpty(), () -> "Authorization sent: " + seen.headers());
        }
        seen.headers().forEach((name, values) -> values.forEach(value ->
                assertFalse(value.contains(Canaries.LICENSE_ALL), "caller license forwarded in " + name)));
    }

    private static String fixture(String resource) {
        try (InputStream in = ModelRoutingIT.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing test resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
