package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.switchboard.openai.OpenApiSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
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
 * Azure OpenAI end to end: the deployed WAR in front of a fake Azure resource ({@code azure} platform) that replays
 * the recorded Azure streams of the vendor's unit tests, driven by the official OpenAI Java SDK.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AzureOpenAiIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    private static final String FIXTURES = "/fixtures/azure-openai/";

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(deployment + "azure/v1").apiKey(Canaries.LICENSE_ALL)
                .maxRetries(0).build();
    }

    private static ChatCompletionCreateParams params() {
        return ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("weather in Paris?").build();
    }

    private static byte[] fixture(String name) {
        try (InputStream in = AzureOpenAiIT.class.getResourceAsStream(FIXTURES + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Reply replay(String sse) {
        return Reply.sse().write(fixture(sse));
    }

    @Test
    void textStreamReachesTheSdkWithoutAzuresFilterEvents() {
        upstream.enqueue(replay("azure-stream-text.sse"));
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion whole = accumulator.chatCompletion();
        assertFalse(whole.choices().get(0).message().content().orElse("").isBlank());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, whole.choices().get(0).finishReason());

        RecordedExchange seen = upstream.awaitExchange(0);
        assertEquals("/openai/deployments/my-gpt4o-deployment/chat/completions", seen.path());
        assertEquals("api-version=2024-10-21", seen.query());
        assertEquals(Canaries.VENDOR_TOKEN_B, seen.header("api-key").orElse(""));
        assertTrue(seen.headerValues("Authorization").isEmpty(), "Azure keys go in api-key only");
        assertFalse(Api.json(seen.bodyText()).has("model"), "the deployment in the URL names the model");

        upstream.enqueue(replay("azure-stream-text.sse"));
        HttpResponse<String> raw = new Api(deployment).post("/azure/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", true, "weather in Paris?"));
        List<String> events = Api.dataEvents(raw.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        for (String chunk : events.subList(0, events.size() - 1)) {
            OpenApiSchemas.assertValid("CreateChatCompletionStreamResponse", chunk);
            assertEquals("chat.completion.chunk", Api.json(chunk).path("object").asText(), chunk);
        }
    }

    @Test
    void toolCallStreamAccumulatesToBothCalls() {
        upstream.enqueue(replay("azure-stream-tools.sse"));
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion.Choice choice = accumulator.chatCompletion().choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertEquals(2, calls.size());
        assertEquals("get_weather", calls.get(0).asFunction().function().name());
        assertEquals("Paris", Api.json(calls.get(0).asFunction().function().arguments()).path("city").asText());
        assertEquals("call_azB2", calls.get(1).asFunction().id());
    }

    @Test
    void nonStreamingResponseIsValidOpenAi() {
        upstream.enqueue(Reply.status(200).json(new String(fixture("azure-chat-response-tools.json"),
                java.nio.charset.StandardCharsets.UTF_8)));
        HttpResponse<String> response = new Api(deployment).post("/azure/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "weather?"));
        assertEquals(200, response.statusCode(), response.body());
        OpenApiSchemas.assertValid("CreateChatCompletionResponse", response.body());
    }

    @Test
    void contentFilterRejectionIsA400NamingThePrompt() {
        upstream.enqueue(Reply.status(400).json(new String(fixture("azure-error-400-content-filter.json"),
                java.nio.charset.StandardCharsets.UTF_8)));
        JsonNode error = assertError(new Api(deployment).post("/azure/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "x")), 400, "content_filter");
        assertEquals("prompt", error.path("param").asText());
    }
}
