package dev.switchboard.vendor.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.FixtureReplay;
import dev.switchboard.vendor.UpstreamFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GeminiResponsesTest {
    private final ChatRequest clientRequest = GeminiTestSupport.request(false, false);

    @Test
    void textResponse() throws Exception {
        JsonNode clientResponse = convert(new String(FixtureReplay.read("/fixtures/gemini/gemini-response-text.json"),
                StandardCharsets.UTF_8));
        assertEquals(json("""
                {"id":"chatcmpl-gwResp02","object":"chat.completion","created":1767225600,"model":"gemini-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Paris is sunny, 21 °C.","refusal":null},
                  "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":72,"completion_tokens":9,"total_tokens":81,
                  "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"""),
                clientResponse);
    }

    @Test
    void functionCallsWithStopAreToolCallsAndThoughtsAreReasoning() throws Exception {
        JsonNode clientResponse = convert("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Plan.","thought":true},{"text":"Checking."},
                  {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"SIG"},
                  {"functionCall":{"id":"fc1","name":"ping"}}]},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":40,"cachedContentTokenCount":30,"candidatesTokenCount":10,
                  "thoughtsTokenCount":20,"totalTokenCount":70},"responseId":"r1"}""");
        assertEquals(json("""
                {"role":"assistant","content":"Checking.","refusal":null,"reasoning_content":"Plan.","tool_calls":[
                 {"id":"call_gw1__thought__SIG","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                 {"id":"fc1","type":"function","function":{"name":"ping","arguments":"{}"}}]}"""),
                clientResponse.at("/choices/0/message"));
        assertEquals("tool_calls", clientResponse.at("/choices/0/finish_reason").asText());
        assertEquals(json("""
                {"prompt_tokens":40,"completion_tokens":30,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":30},
                 "completion_tokens_details":{"reasoning_tokens":20}}"""), clientResponse.get("usage"));
    }

    @Test
    void everyCandidateIsAChoiceInIndexOrder() throws Exception {
        JsonNode clientResponse = convert("""
                {"candidates":[{"content":{"parts":[{"text":"two"}]},"finishReason":"MAX_TOKENS","index":1},
                 {"content":{"parts":[{"text":"one"}]},"finishReason":"STOP","index":0}]}""");
        assertEquals(2, clientResponse.get("choices").size());
        assertEquals("one", clientResponse.at("/choices/0/message/content").asText());
        assertEquals("stop", clientResponse.at("/choices/0/finish_reason").asText());
        assertEquals(1, clientResponse.at("/choices/1/index").asInt());
        assertEquals("length", clientResponse.at("/choices/1/finish_reason").asText());
        assertEquals("chatcmpl-gw1", clientResponse.get("id").asText(), "random id without responseId");
    }

    @ParameterizedTest
    @CsvSource({"MAX_TOKENS, length", "SAFETY, content_filter", "RECITATION, content_filter",
        "PROHIBITED_CONTENT, content_filter", "SPII, content_filter", "BLOCKLIST, content_filter",
        "MALFORMED_FUNCTION_CALL, stop", "OTHER, stop", "STOP, stop"})
    void finishReasons(String gemini, String openAi) throws Exception {
        JsonNode clientResponse = convert("{\"candidates\":[{\"finishReason\":\"" + gemini + "\",\"index\":0}]}");
        assertEquals(openAi, clientResponse.at("/choices/0/finish_reason").asText());
        assertEquals(true, clientResponse.at("/choices/0/message/content").isNull());
    }

    @Test
    void blockedPromptIsAContentFilterChoiceWithoutContent() throws Exception {
        JsonNode clientResponse = convert("""
                {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}}""");
        assertEquals(json("""
                [{"index":0,"message":{"role":"assistant","content":null,"refusal":null},"logprobs":null,
                  "finish_reason":"content_filter"}]"""), clientResponse.get("choices"));
        assertEquals(9, clientResponse.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void bodiesThatAreNotAResponseAreInvalid() {
        for (String body : new String[] {"<html></html>", "[1]", "{\"error\":{\"code\":500}}", ""}) {
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> GeminiTestSupport.vendor()
                    .toClientResponse(body.getBytes(StandardCharsets.UTF_8), clientRequest), body);
            assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
        }
    }

    private JsonNode convert(String upstreamBody) throws UpstreamFormatException {
        return json(new String(GeminiTestSupport.vendor().toClientResponse(upstreamBody.getBytes(StandardCharsets.UTF_8),
                clientRequest), StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
