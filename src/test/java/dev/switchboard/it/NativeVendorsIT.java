package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.switchboard.openai.OpenApiSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The native vendors end to end: the deployed WAR in front of a fake upstream speaking Anthropic's Messages API
 * ({@code claude} platform) or Gemini's v1beta API ({@code gemini} platform), driven by the official OpenAI Java SDK.
 *
 * <p>The fake upstream replays the same recorded native traffic the vendor unit tests use
 * ({@code src/test/resources/fixtures/anthropic|gemini}), so what the real WAR sends back can be compared with the
 * same {@code *.expected.jsonl} files, chunk for chunk (only {@code created}, the public model name and Gemini's
 * random tool-call ids differ), and every chunk, body and error is checked against OpenAI's OpenAPI schemas. One class
 * for both vendors, to deploy once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class NativeVendorsIT {
    private static final String CLAUDE_MODEL = "claude-sonnet-4";
    private static final String CLAUDE_UPSTREAM_MODEL = "claude-sonnet-4-20250514";
    private static final String GEMINI_MODEL = "gemini-2.5-flash";
    private static final String ANTHROPIC = "/fixtures/anthropic/";
    private static final String GEMINI = "/fixtures/gemini/";
    /** Gemini's tool-call ids: 24 random characters, then the thought signature the caller must echo. */
    /** One SSE event as recorded, up to and including the blank line that ends it, whatever the line ends. */
    private static final Pattern RAW_EVENT = Pattern.compile("(?s).*?(\r\n\r\n|\n\n|\r\r)");
    private static final Pattern FIXTURE_GEMINI_ID = Pattern.compile("call_gw\\d+(__thought__.*)?");

    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    // ---------------------------------------------------------------------------------------------- Anthropic

    @Test
    void anthropicTextStreamThroughTheSdk() {
        Reply stream = anthropicStream("anthropic-stream-text.sse");
        upstream.enqueue(stream, stream);

        ChatCompletion whole = sdkStream("claude", params(CLAUDE_MODEL, "Say hello", false, false));
        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals(anthropicText("anthropic-stream-text.sse"), choice.message().content().orElseThrow());
        assertEquals("Bonjour ! Café 日本語 🎉 «ok»", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertTrue(choice.message().toolCalls().map(List::isEmpty).orElse(true));
        assertEquals(CLAUDE_MODEL, whole.model(), "the caller's model name, not the upstream's");

        List<String> raw = rawStream("/claude/v1/chat/completions", chat(CLAUDE_MODEL, true, false, false));
        assertTranslated(ANTHROPIC + "anthropic-stream-text.expected.jsonl", raw, CLAUDE_MODEL);

        assertEquals(2, upstream.requestCount());
        for (RecordedExchange seen : upstream.exchanges()) {
            JsonNode sent = assertAnthropicRequest(seen);
            assertTrue(sent.path("stream").asBoolean(), "a streaming request upstream: " + sent);
            assertEquals("text/event-stream", seen.header("Accept").orElse(""));
        }
    }

    @Test
    void anthropicToolCallStreamThroughTheSdk() {
        Reply stream = anthropicStream("anthropic-messages-stream.sse");
        upstream.enqueue(stream, stream);

        ChatCompletion whole = sdkStream("claude", params(CLAUDE_MODEL, "Weather in Paris?", true, true));
        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals("Let me check that for you.", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessageFunctionToolCall call = onlyFunctionCall(choice.message().toolCalls());
        assertEquals("toolu_01GwA", call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals(Api.json("{\"city\":\"Paris\"}"), Api.json(call.function().arguments()));
        assertEquals("{\"city\": \"Paris\"}", call.function().arguments(), "argument fragments joined unchanged");
        CompletionUsage usage = whole.usage().orElseThrow();
        assertEquals(472, usage.promptTokens());
        assertEquals(89, usage.completionTokens());

        List<String> raw = rawStream("/claude/v1/chat/completions", chat(CLAUDE_MODEL, true, true, true));
        assertTranslated(ANTHROPIC + "anthropic-messages-stream.include-usage.expected.jsonl", raw, CLAUDE_MODEL);

        assertEquals(2, upstream.requestCount());
        for (RecordedExchange seen : upstream.exchanges()) {
            JsonNode sent = assertAnthropicRequest(seen);
            JsonNode tool = sent.path("tools").path(0);
            assertEquals("get_weather", tool.path("name").asText(), sent.toString());
            assertEquals("string", tool.path("input_schema").path("properties").path("city").path("type").asText(),
                    "OpenAI's parameters become Anthropic's input_schema: " + sent);
        }
    }

    @Test
    void anthropicNonStreamingCallWithToolUseAndCacheTokens() {
        Reply message = Reply.status(200).json(fixture(ANTHROPIC + "anthropic-messages-response-tools.json"));
        upstream.enqueue(message, message);

        ChatCompletion completion = client("claude").chat().completions()
                .create(params(CLAUDE_MODEL, "Weather in Paris?", true, false));
        completion.validate();
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals("Let me check that for you.", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessageFunctionToolCall call = onlyFunctionCall(choice.message().toolCalls());
        assertEquals("toolu_01GwB", call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals(Api.json("{\"city\":\"Paris\"}"), Api.json(call.function().arguments()));
        CompletionUsage usage = completion.usage().orElseThrow();
        assertEquals(380 + 1024, usage.promptTokens(), "prompt tokens include the cache reads");
        assertEquals(57, usage.completionTokens());
        assertEquals(380 + 1024 + 57, usage.totalTokens());
        assertEquals(1024, usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
        assertEquals("chatcmpl-msg_01GwExample2", completion.id());
        assertEquals(CLAUDE_MODEL, completion.model());

        HttpResponse<String> raw = api().post("/claude/v1/chat/completions", Canaries.LICENSE_ALL,
                chat(CLAUDE_MODEL, false, false, true));
        assertEquals(200, raw.statusCode(), raw.body());
        assertTrue(raw.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        OpenApiSchemas.assertValid("CreateChatCompletionResponse", raw.body());
        Errors.assertClean(raw.body());

        assertEquals(2, upstream.requestCount());
        for (RecordedExchange seen : upstream.exchanges()) {
            JsonNode sent = assertAnthropicRequest(seen);
            assertFalse(sent.path("stream").asBoolean(false), "no stream flag on a plain call: " + sent);
            assertEquals("application/json", seen.header("Accept").orElse(""));
        }
    }

    @Test
    void anthropicRateLimitBecomesOpenAisRateLimitWithRetryAfter() {
        upstream.enqueue(Reply.status(429).header("retry-after", "7").header("request-id", "req_011GwLimited")
                .json("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of request "
                        + "tokens has exceeded your per-minute rate limit\"},\"request_id\":\"req_011GwLimited\"}"));

        HttpResponse<String> response = api().post("/claude/v1/chat/completions", Canaries.LICENSE_ALL,
                chat(CLAUDE_MODEL, true, false, false));
        JsonNode error = assertError(response, 429, "rate_limit_exceeded");
        assertEquals("rate_limit_error", error.path("type").asText(), response.body());
        // The value is the token's cooldown, clamped by the platform's retry settings, which ItConfig shortens to
        // keep test methods independent; ChatCompletionsIT checks the delay itself on a platform of its own.
        assertTrue(response.headers().firstValue("Retry-After").orElse("").matches("[1-9][0-9]*"),
                "a Retry-After in whole seconds: " + response.headers().map());
        assertEquals("1", response.headers().firstValue("x-switchboard-attempts").orElse(""),
                "the platform's only token is cooling: no second attempt");
        OpenApiSchemas.assertValid("ErrorResponse", response.body());
        assertAnthropicRequest(upstream.awaitExchange(0));
    }

    // ------------------------------------------------------------------------------------------------- Gemini

    @Test
    void geminiTextStreamThroughTheSdk() {
        Reply stream = geminiStream("gemini-stream-text.sse");
        upstream.enqueue(stream, stream);

        ChatCompletion whole = sdkStream("gemini", params(GEMINI_MODEL, "Say hello", false, false));
        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals(geminiText("gemini-stream-text.sse"), choice.message().content().orElseThrow());
        assertEquals("Bonjour ! Ça va très bien 🎉 日本語 «fin»", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertEquals(GEMINI_MODEL, whole.model());

        List<String> raw = rawStream("/gemini/v1/chat/completions", chat(GEMINI_MODEL, true, false, false));
        assertTranslated(GEMINI + "gemini-stream-text.expected.jsonl", raw, GEMINI_MODEL);

        assertEquals(2, upstream.requestCount());
        assertEquals("Say hello", lastUserText(Api.json(upstream.exchanges().get(0).bodyText())));
        for (RecordedExchange seen : upstream.exchanges()) {
            JsonNode sent = assertGeminiRequest(seen, ":streamGenerateContent");
            assertEquals("alt=sse", seen.query(), "SSE, not a JSON array, and no key in the URL");
            assertEquals("be brief", sent.path("systemInstruction").path("parts").path(0).path("text").asText(),
                    sent.toString());
        }
    }

    @Test
    void geminiToolCallStreamThroughTheSdk() {
        Reply stream = geminiStream("gemini-stream-tools.sse");
        upstream.enqueue(stream, stream);

        ChatCompletion whole = sdkStream("gemini", params(GEMINI_MODEL, "Weather in Paris?", true, true));
        ChatCompletion.Choice choice = whole.choices().get(0);
        assertEquals("Let me look that up.", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessageFunctionToolCall call = onlyFunctionCall(choice.message().toolCalls());
        assertTrue(call.id().matches("call_[A-Za-z0-9]{24}__thought__CiIBVKhc7exampleSignature"),
                "a fresh id carrying the thought signature: " + call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals(Api.json("{\"city\":\"Paris\"}"), Api.json(call.function().arguments()));
        CompletionUsage usage = whole.usage().orElseThrow();
        assertEquals(41, usage.promptTokens());
        assertEquals(57, usage.completionTokens(), "candidates plus thoughts");
        assertEquals(98, usage.totalTokens());

        List<String> raw = rawStream("/gemini/v1/chat/completions", chat(GEMINI_MODEL, true, true, true));
        assertTranslated(GEMINI + "gemini-stream-tools.expected.jsonl", raw, GEMINI_MODEL);

        assertEquals(2, upstream.requestCount());
        for (RecordedExchange seen : upstream.exchanges()) {
            JsonNode sent = assertGeminiRequest(seen, ":streamGenerateContent");
            assertEquals("alt=sse", seen.query());
            JsonNode declaration = sent.path("tools").path(0).path("functionDeclarations").path(0);
            assertEquals("get_weather", declaration.path("name").asText(), sent.toString());
            assertEquals("string",
                    declaration.path("parametersJsonSchema").path("properties").path("city").path("type").asText(),
                    sent.toString());
        }
    }

    @Test
    void geminiNonStreamingCall() {
        Reply response = Reply.status(200).json(fixture(GEMINI + "gemini-response-text.json"));
        upstream.enqueue(response, response);

        ChatCompletion completion = client("gemini").chat().completions()
                .create(params(GEMINI_MODEL, "Weather in Paris?", false, false));
        completion.validate();
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals("Paris is sunny, 21 °C.", choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertEquals(72, usage.promptTokens());
        assertEquals(9, usage.completionTokens());
        assertEquals(81, usage.totalTokens());
        assertEquals(GEMINI_MODEL, completion.model());

        HttpResponse<String> raw = api().post("/gemini/v1/chat/completions", Canaries.LICENSE_ALL,
                chat(GEMINI_MODEL, false, false, false));
        assertEquals(200, raw.statusCode(), raw.body());
        OpenApiSchemas.assertValid("CreateChatCompletionResponse", raw.body());
        Errors.assertClean(raw.body());

        assertEquals(2, upstream.requestCount());
        for (RecordedExchange seen : upstream.exchanges()) {
            assertGeminiRequest(seen, ":generateContent");
            assertEquals(null, seen.query(), "no query at all: above all no key in the URL");
            assertEquals("application/json", seen.header("Accept").orElse(""));
        }
    }

    @Test
    void geminiInvalidArgumentBecomesA400WithTheVendorMessage() {
        String message = "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"";
        upstream.enqueue(Reply.status(400).json("{\"error\":{\"code\":400,\"message\":"
                + Api.JSON.valueToTree(message) + ",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":[{\"field\":"
                + "\"generation_config.temperature\",\"description\":\"Invalid value\"}]}]}}"));

        HttpResponse<String> response = api().post("/gemini/v1/chat/completions", Canaries.LICENSE_ALL,
                chat(GEMINI_MODEL, true, false, false));
        JsonNode error = assertError(response, 400, "invalid_argument");
        assertEquals(message, error.path("message").asText(), "Gemini's own explanation reaches the caller");
        assertEquals("invalid_request_error", error.path("type").asText());
        OpenApiSchemas.assertValid("ErrorResponse", response.body());
        assertGeminiRequest(upstream.awaitExchange(0), ":streamGenerateContent");
    }

    // ------------------------------------------------------------------------------------------------- both

    @Test
    void errorsInsideA200StreamEndItWithAnOpenAiErrorEvent() {
        Reply anthropic = anthropicStream("anthropic-messages-stream-error.sse");
        upstream.route(seen -> seen.path().startsWith("/anthropic/") ? anthropic : null);
        Reply gemini = geminiStream("gemini-stream-error.sse");
        upstream.enqueue(gemini, gemini);

        SseException claudeFailure = assertThrows(SseException.class,
                () -> sdkStream("claude", params(CLAUDE_MODEL, "hi", false, false)));
        assertTrue(claudeFailure.getMessage().contains("Overloaded"), claudeFailure.getMessage());
        assertTranslated(ANTHROPIC + "anthropic-messages-stream-error.expected.jsonl",
                rawStream("/claude/v1/chat/completions", chat(CLAUDE_MODEL, true, false, false)), CLAUDE_MODEL);

        SseException geminiFailure = assertThrows(SseException.class,
                () -> sdkStream("gemini", params(GEMINI_MODEL, "hi", false, false)));
        assertTrue(geminiFailure.getMessage().contains("overloaded"), geminiFailure.getMessage());
        assertTranslated(GEMINI + "gemini-stream-error.expected.jsonl",
                rawStream("/gemini/v1/chat/completions", chat(GEMINI_MODEL, true, false, false)), GEMINI_MODEL);
        assertEquals(4, upstream.requestCount());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Api api() {
        return new Api(deployment);
    }

    private OpenAIClient client(String platform) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(deployment.toString() + platform + "/v1")
                .apiKey(Canaries.LICENSE_ALL)
                .maxRetries(0)
                .build();
    }

    private ChatCompletion sdkStream(String platform, ChatCompletionCreateParams params) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client(platform).chat().completions()
                .createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.chatCompletion();
    }

    private static ChatCompletionCreateParams params(String model, String text, boolean tools, boolean includeUsage) {
        ChatCompletionCreateParams.Builder builder = ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("be brief")
                .addUserMessage(text);
        if (tools) {
            builder.addFunctionTool(FunctionDefinition.builder()
                    .name("get_weather")
                    .description("Current weather in a city")
                    .parameters(FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty("properties",
                                    JsonValue.from(Map.of("city", Map.of("type", "string"))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                            .build())
                    .build());
        }
        if (includeUsage) {
            builder.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return builder.build();
    }

    /** The same request as {@link #params} with tools, as plain JSON. */
    private static String chat(String model, boolean stream, boolean includeUsage, boolean tools) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]"
                + (tools ? ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"description\":\"Current weather in a city\",\"parameters\":{\"type\":\"object\","
                        + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]" : "")
                + "}";
    }

    /** POSTs a streaming request with the plain client and returns its data payloads, [DONE] included. */
    private List<String> rawStream(String path, String body) {
        HttpResponse<String> response = api().post(path, Canaries.LICENSE_ALL, body);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                () -> "content type " + response.headers().firstValue("Content-Type"));
        Errors.assertClean(response.body());
        assertFalse(response.body().contains("event:"), "no named events towards OpenAI clients: " + response.body());
        return Api.dataEvents(response.body());
    }

    private static ChatCompletionMessageFunctionToolCall onlyFunctionCall(
            java.util.Optional<List<ChatCompletionMessageToolCall>> toolCalls) {
        List<ChatCompletionMessageToolCall> calls = toolCalls.orElseThrow(() -> new AssertionError("no tool calls"));
        assertEquals(1, calls.size(), calls::toString);
        return calls.get(0).asFunction();
    }

    /**
     * Every chunk the gateway sent is a valid {@code CreateChatCompletionStreamResponse} and equals the unit tests'
     * expected translation of the same fixture, but for {@code created} (now, not the unit tests' fixed clock), the
     * public model name and Gemini's random tool-call ids.
     */
    private static void assertTranslated(String expectedResource, List<String> actual, String model) {
        List<String> expected = fixture(expectedResource).lines().filter(line -> !line.isBlank()).toList();
        assertEquals(expected.size(), actual.size(), () -> "chunks: " + String.join("\n", actual));
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < expected.size(); i++) {
            if ("[DONE]".equals(expected.get(i))) {
                assertEquals("[DONE]", actual.get(i));
                continue;
            }
            if (Api.json(expected.get(i)).has("error")) {
                // The last event of a failed stream: an error object in place of a chunk, and no [DONE] after it.
                OpenApiSchemas.assertValid("ErrorResponse", actual.get(i));
                assertEquals(Api.json(expected.get(i)), Api.json(actual.get(i)));
                continue;
            }
            OpenApiSchemas.assertValid("CreateChatCompletionStreamResponse", actual.get(i));
            ObjectNode got = (ObjectNode) Api.json(actual.get(i));
            ObjectNode want = (ObjectNode) Api.json(expected.get(i));
            long created = got.path("created").asLong();
            assertTrue(got.path("created").isIntegralNumber() && Math.abs(now - created) < 600,
                    "created is the current Unix time: " + actual.get(i));
            want.set("created", got.get("created"));
            want.put("model", model);
            adoptRandomToolCallIds(want, got);
            final int index = i;
            assertEquals(want, got, () -> "chunk " + index + " of " + expectedResource);
        }
    }

    /** The unit tests' counting ids ({@code call_gw1...}) against the deployed vendor's random ones. */
    private static void adoptRandomToolCallIds(ObjectNode want, ObjectNode got) {
        for (int c = 0; c < want.path("choices").size(); c++) {
            JsonNode wantCalls = want.path("choices").path(c).path("delta").path("tool_calls");
            JsonNode gotCalls = got.path("choices").path(c).path("delta").path("tool_calls");
            for (int t = 0; t < wantCalls.size(); t++) {
                Matcher fixtureId = FIXTURE_GEMINI_ID.matcher(wantCalls.path(t).path("id").asText());
                if (!fixtureId.matches()) {
                    continue;
                }
                String gotId = gotCalls.path(t).path("id").asText();
                String suffix = fixtureId.group(1) == null ? "" : fixtureId.group(1);
                assertTrue(gotId.matches("call_[A-Za-z0-9]{24}" + Pattern.quote(suffix)), "tool call id " + gotId);
                ((ObjectNode) wantCalls.path(t)).put("id", gotId);
            }
        }
    }

    /**
     * What every request to the {@code claude} platform must look like upstream: the Messages endpoint, the managed
     * token as {@code x-api-key} and nowhere else, a version header, the mapped model and the platform's default
     * output limit. Returns the body.
     */
    private static JsonNode assertAnthropicRequest(RecordedExchange seen) {
        assertEquals("POST", seen.method());
        assertEquals("/anthropic/v1/messages", seen.path());
        assertEquals(null, seen.query());
        assertEquals(List.of(Canaries.VENDOR_TOKEN_A), seen.headerValues("x-api-key"));
        assertEquals("2023-06-01", seen.header("anthropic-version").orElse(""), "the tested default version");
        assertNoCallerCredentials(seen);
        JsonNode sent = Api.json(seen.bodyText());
        assertEquals(CLAUDE_UPSTREAM_MODEL, sent.path("model").asText(), sent.toString());
        assertEquals(ItConfig.CLAUDE_MAX_TOKENS, sent.path("max_tokens").asInt(), "the platform default: " + sent);
        assertEquals("be brief", systemText(sent.path("system")), "system messages become Anthropic's system");
        JsonNode last = sent.path("messages").path(sent.path("messages").size() - 1);
        assertEquals("user", last.path("role").asText(), sent.toString());
        return sent;
    }

    /** Gemini: the model's method, the managed token as {@code x-goog-api-key} and nowhere else. Returns the body. */
    private static JsonNode assertGeminiRequest(RecordedExchange seen, String method) {
        assertEquals("POST", seen.method());
        assertEquals("/gemini/v1beta/models/" + GEMINI_MODEL + method, seen.path());
        assertEquals(List.of(Canaries.VENDOR_TOKEN_B), seen.headerValues("x-goog-api-key"));
        String query = seen.query() == null ? "" : seen.query();
        assertFalse(query.contains("key=") || query.contains(Canaries.VENDOR_TOKEN_B), "key in the URL: " + query);
        assertNoCallerCredentials(seen);
        JsonNode sent = Api.json(seen.bodyText());
        assertFalse(sent.has("model") || sent.has("messages"), "a Gemini body, not an OpenAI one: " + sent);
        assertTrue(sent.path("contents").isArray() && sent.path("contents").size() > 0, sent.toString());
        return sent;
    }

    /** No {@code Authorization} header, and the caller's license in no header at all. */
    private static void assertNoCallerCredentials(RecordedExchange seen) {
        assertTrue(seen.headerValues("Authorization").isEmpty(), () -> "Authorization sent: " + seen.headers());
        seen.headers().forEach((name, values) -> values.forEach(value ->
                assertFalse(value.contains(Canaries.LICENSE_ALL), "caller license forwarded in " + name)));
    }

    private static String systemText(JsonNode system) {
        if (system.isTextual()) {
            return system.asText();
        }
        StringBuilder text = new StringBuilder();
        system.forEach(block -> text.append(block.path("text").asText()));
        return text.toString();
    }

    private static String lastUserText(JsonNode geminiBody) {
        JsonNode contents = geminiBody.path("contents");
        JsonNode last = contents.path(contents.size() - 1);
        assertEquals("user", last.path("role").asText(), geminiBody.toString());
        return last.path("parts").path(0).path("text").asText();
    }

    // ------------------------------------------------------------------------------------------ fixture replay

    /** A recorded Anthropic stream as the fake upstream's reply: every named event, in order, each flushed. */
    private static Reply anthropicStream(String name) {
        Reply reply = Reply.sse();
        for (String[] event : events(fixture(ANTHROPIC + name))) {
            assertNotNull(event[0], "Anthropic names every event: " + event[1]);
            reply.event(event[0], event[1]);
        }
        return reply;
    }

    /**
     * A recorded Gemini stream ({@code alt=sse}, {@code data:} lines only), each event written and flushed byte for
     * byte as recorded: Google frames its events with CRLF ({@code gemini-stream-text.sse} keeps that), which the
     * gateway's decoder must handle through the real container too.
     */
    private static Reply geminiStream(String name) {
        String sse = fixture(GEMINI + name);
        for (String[] event : events(sse)) {
            assertEquals(null, event[0], "Gemini names no events");
        }
        Reply reply = Reply.sse();
        Matcher event = RAW_EVENT.matcher(sse);
        int end = 0;
        while (event.find()) {
            reply.write(event.group());
            end = event.end();
        }
        assertEquals(sse.length(), end, "the fixture ends with a complete event");
        return reply;
    }

    /** The text a recorded Anthropic stream carries: its {@code text_delta}s joined. */
    private static String anthropicText(String name) {
        StringBuilder text = new StringBuilder();
        for (String[] event : events(fixture(ANTHROPIC + name))) {
            JsonNode delta = Api.json(event[1]).path("delta");
            if ("text_delta".equals(delta.path("type").asText())) {
                text.append(delta.path("text").asText());
            }
        }
        return text.toString();
    }

    /** The text a recorded Gemini stream carries: its non-thought text parts joined. */
    private static String geminiText(String name) {
        StringBuilder text = new StringBuilder();
        for (String[] event : events(fixture(GEMINI + name))) {
            for (JsonNode part : Api.json(event[1]).path("candidates").path(0).path("content").path("parts")) {
                if (!part.path("thought").asBoolean(false)) {
                    text.append(part.path("text").asText(""));
                }
            }
        }
        return text.toString();
    }

    /** An {@code .sse} file (LF, CRLF or CR line ends) as {@code {event name or null, data}} pairs. */
    private static List<String[]> events(String sse) {
        List<String[]> events = new ArrayList<>();
        for (String block : sse.replace("\r\n", "\n").replace('\r', '\n').split("\n\n")) {
            String name = null;
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            if (data != null) {
                events.add(new String[] {name, data.toString()});
            }
        }
        assertFalse(events.isEmpty(), "no events in the fixture");
        return events;
    }

    private static String fixture(String resource) {
        try (InputStream in = NativeVendorsIT.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing test resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
