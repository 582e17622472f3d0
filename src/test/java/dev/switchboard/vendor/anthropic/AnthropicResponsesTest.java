package dev.switchboard.vendor.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.openai.OpenApiSchemas;
import dev.switchboard.vendor.FixtureReplay;
import dev.switchboard.vendor.UpstreamFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicResponsesTest {
    private static final long CREATED = 1767225600L;

    private final AnthropicVendor vendor = new AnthropicVendor(
            Clock.fixed(Instant.ofEpochSecond(CREATED), ZoneOffset.UTC));
    private final ChatRequest clientRequest = new ChatRequest("claude-fast", false, false,
            Json.MAPPER.createObjectNode().put("model", "claude-fast"));

    @Test
    void textAndToolUseFromTheSharedExample() throws Exception {
        JsonNode clientResponse = convert(FixtureReplay.read("/fixtures/anthropic/anthropic-messages-response-tools.json"));

        JsonNode expected = Json.MAPPER.readTree("""
                {"id":"chatcmpl-msg_01GwExample2","object":"chat.completion","created":1767225600,
                 "model":"claude-fast",
                 "choices":[{"index":0,
                   "message":{"role":"assistant","content":"Let me check that for you.","refusal":null,
                     "tool_calls":[{"id":"toolu_01GwB","type":"function",
                                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                   "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":1404,"completion_tokens":57,"total_tokens":1461,
                   "prompt_tokens_details":{"cached_tokens":1024},
                   "completion_tokens_details":{"reasoning_tokens":0}}}""");
        assertEquals(expected, clientResponse);
    }

    @Test
    void textBlocksAreJoinedAndThereAreNoToolCallsWithoutToolUse() throws Exception {
        JsonNode clientResponse = convert(message("""
                [{"type":"text","text":"Bonjour "},{"type":"text","text":"日本語 🎉"}]""", "end_turn"));

        JsonNode message = clientResponse.at("/choices/0/message");
        assertEquals("Bonjour 日本語 🎉", message.get("content").textValue());
        assertFalse(message.has("tool_calls"));
        assertFalse(message.has("reasoning_content"));
        assertTrue(message.get("refusal").isNull());
        assertEquals("stop", clientResponse.at("/choices/0/finish_reason").textValue());
    }

    @Test
    void thinkingBecomesReasoningContentAndOnlyToolsMeansNullContent() throws Exception {
        JsonNode clientResponse = convert(message("""
                [{"type":"thinking","thinking":"Think ","signature":"sig"},
                 {"type":"redacted_thinking","data":"xyz"},
                 {"type":"thinking","thinking":"more.","signature":"sig2"},
                 {"type":"tool_use","id":"toolu_1","name":"ping","input":{}},
                 {"type":"tool_use","id":"toolu_2","name":"add","input":{"a":1,"b":[2,3]}}]""", "tool_use"));

        JsonNode message = clientResponse.at("/choices/0/message");
        assertTrue(message.get("content").isNull());
        assertEquals("Think more.", message.get("reasoning_content").textValue());
        assertEquals("{}", message.at("/tool_calls/0/function/arguments").textValue());
        assertEquals("{\"a\":1,\"b\":[2,3]}", message.at("/tool_calls/1/function/arguments").textValue());
        assertEquals("toolu_2", message.at("/tool_calls/1/id").textValue());
        assertEquals("function", message.at("/tool_calls/1/type").textValue());
    }

    @ParameterizedTest
    @CsvSource({
        "end_turn, stop",
        "stop_sequence, stop",
        "pause_turn, stop",
        "max_tokens, length",
        "model_context_window_exceeded, length",
        "tool_use, tool_calls",
        "refusal, content_filter",
        "some_new_reason, stop",
    })
    void stopReasonBecomesFinishReason(String stopReason, String finishReason) throws Exception {
        JsonNode clientResponse = convert(message("[{\"type\":\"text\",\"text\":\"x\"}]", stopReason));

        assertEquals(finishReason, clientResponse.at("/choices/0/finish_reason").textValue());
    }

    @Test
    void promptTokensIncludeCacheReadsAndWrites() throws Exception {
        byte[] body = """
                {"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"x"}],
                 "stop_reason":"end_turn",
                 "usage":{"input_tokens":10,"output_tokens":3,"cache_creation_input_tokens":200,
                          "cache_read_input_tokens":4000}}""".getBytes(StandardCharsets.UTF_8);

        JsonNode usage = convert(body).get("usage");

        assertEquals(4210, usage.get("prompt_tokens").intValue());
        assertEquals(3, usage.get("completion_tokens").intValue());
        assertEquals(4213, usage.get("total_tokens").intValue());
        assertEquals(4000, usage.at("/prompt_tokens_details/cached_tokens").intValue());
        assertEquals(0, usage.at("/completion_tokens_details/reasoning_tokens").intValue());
    }

    @Test
    void missingCacheCountsCountAsZero() throws Exception {
        JsonNode usage = convert(message("[{\"type\":\"text\",\"text\":\"x\"}]", "end_turn")).get("usage");

        assertEquals(5, usage.get("prompt_tokens").intValue());
        assertEquals(0, usage.at("/prompt_tokens_details/cached_tokens").intValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<html><body>502 Bad Gateway</body></html>",
        "",
        "[]",
        "{\"type\":\"message\"}",
        "{\"id\":\"msg_1\",\"content\":\"text\"}",
        "{\"id\":\"msg_1\",\"content\":[{\"type\":\"tool_use\",\"input\":{}}]}",
        "{\"id\":\"msg_1\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]",
    })
    void bodyThatIsNotAMessageIsAnInvalidResponse(String body) {
        UpstreamFormatException e = assertThrows(UpstreamFormatException.class,
                () -> vendor.toClientResponse(body.getBytes(StandardCharsets.UTF_8), clientRequest));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }

    private JsonNode convert(byte[] upstreamBody) throws UpstreamFormatException, IOException {
        String clientResponse = new String(vendor.toClientResponse(upstreamBody, clientRequest), StandardCharsets.UTF_8);
        OpenApiSchemas.assertValid("CreateChatCompletionResponse", clientResponse);
        return Json.MAPPER.readTree(clientResponse);
    }

    private static byte[] message(String content, String stopReason) {
        return ("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                + "\"content\":" + content + ",\"stop_reason\":\"" + stopReason + "\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":2}}").getBytes(StandardCharsets.UTF_8);
    }
}
