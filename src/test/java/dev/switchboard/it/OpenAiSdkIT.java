package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.switchboard.openai.OpenApiSchemas;
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
 * The official Java OpenAI SDK pointed at the gateway, changing only base URL and key; and the gateway's own JSON
 * (mock answers, lists, errors) checked against the schemas of the official OpenAPI spec.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenAiSdkIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    private OpenAIClient client(String platform, String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(deployment.toString() + platform + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .build();
    }

    private static ChatCompletionCreateParams params(String model, String text, boolean includeUsage) {
        ChatCompletionCreateParams.Builder builder = ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("be brief")
                .addUserMessage(text);
        if (includeUsage) {
            builder.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return builder.build();
    }

    @Test
    void nonStreamingCallThroughTheMockPlatform() {
        ChatCompletion completion = client("mock", Canaries.LICENSE_MOCK_ONLY).chat().completions()
                .create(params("mock-echo", "hello from the sdk", false));
        assertEquals("hello from the sdk", completion.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
        assertEquals(4, completion.usage().orElseThrow().completionTokens());
        completion.validate();
    }

    @Test
    void streamingCallThroughTheMockPlatformAccumulatesToTheWholeAnswer() {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client("mock", Canaries.LICENSE_MOCK_ONLY).chat()
                .completions().createStreaming(params("mock-echo", "streamed word by word", true))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion whole = accumulator.chatCompletion();
        assertEquals("streamed word by word", whole.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, whole.choices().get(0).finishReason());
        assertEquals(4, whole.usage().orElseThrow().completionTokens());
    }

    @Test
    void streamingAndNonStreamingThroughAnUpstream() {
        upstream.enqueue(Reply.status(200).json("{\"id\":\"chatcmpl-u\",\"object\":\"chat.completion\","
                + "\"created\":1767225600,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"from upstream\",\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
                + "\"total_tokens\":5}}"));
        OpenAIClient client = client("fake", Canaries.LICENSE_ALL);
        assertEquals("from upstream", client.chat().completions().create(params("gpt-4o", "hi", false))
                .choices().get(0).message().content().orElseThrow());

        Reply reply = Reply.sse();
        List.of("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Bon\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"jour\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}")
                .forEach(reply::event);
        upstream.enqueue(reply.done());
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(params("gpt-4o", "hi", false))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertEquals("Bonjour", accumulator.chatCompletion().choices().get(0).message().content().orElseThrow());
    }

    @Test
    void gatewayErrorsBecomeTheSdksTypedExceptions() {
        NotFoundException notFound = assertThrows(NotFoundException.class, () -> client("mock",
                Canaries.LICENSE_MOCK_ONLY).chat().completions().create(params("no-such-model", "x", false)));
        assertEquals(404, notFound.statusCode());
        assertTrue(notFound.getMessage().contains("no-such-model"), notFound.getMessage());
        UnauthorizedException denied = assertThrows(UnauthorizedException.class, () -> client("mock",
                Canaries.UNKNOWN_KEY).chat().completions().create(params("mock-echo", "x", false)));
        assertEquals(401, denied.statusCode());
    }

    @Test
    void gatewayJsonIsValidAgainstTheOpenApiSchemas() {
        Api api = new Api(deployment);
        HttpResponse<String> completion = api.post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY,
                Api.chat("mock-echo", false, "schema check"));
        OpenApiSchemas.assertValid("CreateChatCompletionResponse", completion.body());

        HttpResponse<String> stream = api.post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY,
                "{\"model\":\"mock-echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"schema check\"}]}");
        List<String> events = Api.dataEvents(stream.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        for (String chunk : events.subList(0, events.size() - 1)) {
            OpenApiSchemas.assertValid("CreateChatCompletionStreamResponse", chunk);
        }

        OpenApiSchemas.assertValid("ListModelsResponse", api.get("/mock/v1/models", Canaries.LICENSE_ALL).body());
        OpenApiSchemas.assertValid("ErrorResponse", api.post("/mock/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("nope", false, "x")).body());
        OpenApiSchemas.assertValid("ErrorResponse", api.get("/mock/v1/models", Canaries.UNKNOWN_KEY).body());
    }
}
