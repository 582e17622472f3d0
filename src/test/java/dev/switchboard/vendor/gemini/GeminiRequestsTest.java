package dev.switchboard.vendor.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.VendorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeminiRequestsTest {
    private static final String BASE = "https://generativelanguage.googleapis.com/v1beta";
    private static final String KEY = "AIzaSECRET";
    private static final UpstreamTarget TARGET = new UpstreamTarget(BASE, "gemini-2.5-flash", KEY);

    private final GeminiVendor vendor = GeminiTestSupport.vendor();

    @Test
    void urlNamesModelAndMethodAndTheKeyGoesOnlyInAHeader() throws Exception {
        UpstreamRequest plain = vendor.toUpstream(request("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                TARGET);
        assertEquals(BASE + "/models/gemini-2.5-flash:generateContent", plain.uri().toString());
        assertEquals(KEY, plain.headers().get("x-goog-api-key"));
        assertFalse(plain.uri().toString().contains(KEY));
        assertFalse(plain.uri().toString().contains("key="));
        assertFalse(new String(plain.body(), java.nio.charset.StandardCharsets.UTF_8).contains(KEY));

        UpstreamRequest streaming = vendor.toUpstream(
                request("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), TARGET);
        assertEquals(BASE + "/models/gemini-2.5-flash:streamGenerateContent?alt=sse", streaming.uri().toString());

        UpstreamRequest odd = vendor.toUpstream(request("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                new UpstreamTarget(BASE, "tuned/my model?x", KEY));
        assertEquals(BASE + "/models/tuned%2Fmy%20model%3Fx:generateContent", odd.uri().toString());
    }

    @Test
    void systemAndDeveloperMessagesJoinTheSystemInstructionInOrder() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},
                 {"role":"developer","content":[{"type":"text","text":"Use "},{"type":"text","text":"French."}]}]}""");
        assertEquals(json("{\"parts\":[{\"text\":\"Be brief.\\n\\nUse French.\"}]}"), body.get("systemInstruction"));
        assertEquals(json("[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]"), body.get("contents"));
    }

    @Test
    void rolesMapAndConsecutiveTurnsOfOneRoleMerge() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},
                 {"role":"assistant","content":"c"},{"role":"assistant","content":[{"type":"text","text":"d"}]},
                 {"role":"user","content":"e"}]}""");
        assertEquals(json("""
                [{"role":"user","parts":[{"text":"a"},{"text":"b"}]},
                 {"role":"model","parts":[{"text":"c"},{"text":"d"}]},
                 {"role":"user","parts":[{"text":"e"}]}]"""), body.get("contents"));
    }

    @Test
    void imagesBecomeInlineDataOrFileData() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"What?"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                 {"type":"image_url","image_url":{"url":"https://example.com/cat.webp?size=2","detail":"low"}},
                 {"type":"image_url","image_url":{"url":"https://example.com/photo"}}]}]}""");
        assertEquals(json("""
                [{"text":"What?"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
                 {"fileData":{"mimeType":"image/webp","fileUri":"https://example.com/cat.webp?size=2"}},
                 {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/photo"}}]"""),
                body.at("/contents/0/parts"));
    }

    @Test
    void toolRoundTripKeepsIdsNamesAndThoughtSignatures() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"user","content":"Weather?"},
                 {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_a__thought__SIG=","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                  {"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},
                 {"role":"tool","tool_call_id":"call_a__thought__SIG=","content":"{\\"temp\\":21}"},
                 {"role":"tool","tool_call_id":"call_b","content":"noon"}]}""");
        assertEquals(json("""
                [{"role":"user","parts":[{"text":"Weather?"}]},
                 {"role":"model","parts":[
                  {"functionCall":{"id":"call_a","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"SIG="},
                  {"functionCall":{"id":"call_b","name":"get_time","args":{}}}]},
                 {"role":"user","parts":[
                  {"functionResponse":{"id":"call_a","name":"get_weather","response":{"content":{"temp":21}}}},
                  {"functionResponse":{"id":"call_b","name":"get_time","response":{"content":"noon"}}}]}]"""),
                body.get("contents"));
    }

    @Test
    void toolsBecomeFunctionDeclarationsWithCleanedSchemas() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"user","content":"Hi"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","strict":true,
                  "parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","title":"P",
                   "additionalProperties":false,"required":["city"],
                   "properties":{"city":{"type":"string","default":"Paris","examples":["Rome"],"pattern":"^[A-Z]"},
                    "unit":{"const":"celsius"},"where":{"$ref":"#/$defs/place","description":"dropped beside $ref"}},
                   "$defs":{"place":{"type":"object","properties":{"lat":{"type":"number","default":0}}}}}}},
                  {"type":"function","function":{"name":"ping"}}]}""");
        assertEquals(json("""
                [{"functionDeclarations":[
                  {"name":"get_weather","description":"Weather","parametersJsonSchema":{"type":"object","title":"P",
                   "additionalProperties":false,"required":["city"],
                   "properties":{"city":{"type":"string"},"unit":{"enum":["celsius"]},"where":{"$ref":"#/$defs/place"}},
                   "$defs":{"place":{"type":"object","properties":{"lat":{"type":"number"}}}}}},
                  {"name":"ping"}]}]"""), body.get("tools"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"auto\"|{\"mode\":\"AUTO\"}",
        "\"none\"|{\"mode\":\"NONE\"}",
        "\"required\"|{\"mode\":\"ANY\"}",
        "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}|{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}",
    })
    void toolChoiceBecomesFunctionCallingConfig(String toolChoice, String expected) throws Exception {
        JsonNode body = body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"tool_choice\":" + toolChoice + "}");
        assertEquals(json(expected), body.at("/toolConfig/functionCallingConfig"));
    }

    @Test
    void generationConfigFieldsAndDroppedOpenAiOnlyFields() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":100,"max_tokens":5,
                 "temperature":0.5,"top_p":0.9,"stop":["END"],"seed":7,"n":2,"presence_penalty":0.1,
                 "frequency_penalty":-0.2,"logprobs":true,"top_logprobs":3,"response_format":{"type":"json_object"},
                 "store":true,"metadata":{"a":"b"},"service_tier":"auto","user":"u1","safety_identifier":"s",
                 "prompt_cache_key":"k","stream_options":null,"parallel_tool_calls":true}""");
        assertEquals(json("""
                {"maxOutputTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END"],"seed":7,
                 "candidateCount":2,"presencePenalty":0.1,"frequencyPenalty":-0.2,"responseLogprobs":true,
                 "logprobs":3,"responseMimeType":"application/json"}"""), body.get("generationConfig"));
        assertEquals(2, body.size(), "only contents and generationConfig: " + body);
    }

    @Test
    void maxTokensAndStopStringAndDefaultMaxTokens() throws Exception {
        assertEquals(json("{\"maxOutputTokens\":5,\"stopSequences\":[\"x\"]}"),
                body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":5,\"stop\":\"x\"}")
                        .get("generationConfig"));
        UpstreamTarget withDefault = new UpstreamTarget(BASE, "m", KEY, new VendorSettings(4096, null));
        JsonNode body = json(new String(vendor.toUpstream(
                request("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), withDefault).body(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(4096, body.at("/generationConfig/maxOutputTokens").asInt());
    }

    @Test
    void jsonSchemaBecomesResponseJsonSchema() throws Exception {
        JsonNode body = body("""
                {"messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":
                 {"name":"answer","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},
                  "required":["a"],"additionalProperties":false,"$schema":"x"}}}}""");
        assertEquals(json("""
                {"responseMimeType":"application/json","responseJsonSchema":{"type":"object",
                 "properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}"""),
                body.get("generationConfig"));
    }

    @ParameterizedTest
    @CsvSource({"low, 1024, true", "medium, 8192, true", "high, 24576, true", "none, 0, false"})
    void reasoningEffortBecomesAThinkingBudget(String effort, int budget, boolean includeThoughts) throws Exception {
        JsonNode thinking = body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"reasoning_effort\":\""
                + effort + "\"}").at("/generationConfig/thinkingConfig");
        assertEquals(budget, thinking.get("thinkingBudget").asInt());
        assertEquals(includeThoughts, thinking.path("includeThoughts").asBoolean(false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"logit_bias\":{\"1\":2}|logit_bias",
        "\"audio\":{\"voice\":\"x\"}|audio",
        "\"functions\":[]|functions",
        "\"reasoning_effort\":\"xhigh\"|reasoning_effort",
        "\"response_format\":{\"type\":\"grammar\"}|response_format.type",
        "\"tool_choice\":\"sometimes\"|tool_choice",
        "\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]|tools[0].type",
        "\"temperature\":\"hot\"|temperature",
        "\"modalities\":[\"text\",\"audio\"]|modalities",
    })
    void unsupportedFieldsAreA400NamingTheParam(String field, String param) {
        assertRejected("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + field + "}", param);
    }

    @Test
    void unsupportedMessagesAreA400NamingTheParam() {
        assertRejected("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                + "{\"url\":\"http://example.com/a.png\"}}]}]}", "messages[0].content[0].image_url.url");
        assertRejected("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                + "{\"url\":\"data:image/png,notbase64\"}}]}]}", "messages[0].content[0].image_url.url");
        assertRejected("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{}}]}]}",
                "messages[0].content[0].type");
        assertRejected("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"tool\",\"tool_call_id\":\"x\","
                + "\"content\":\"r\"}]}", "messages[1].tool_call_id");
        assertRejected("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}",
                "messages[0].tool_calls[0].function.arguments");
        assertRejected("{\"messages\":[{\"role\":\"function\",\"content\":\"a\"}]}", "messages[0].role");
        assertRejected("{\"messages\":[{\"role\":\"system\",\"content\":\"a\"}]}", "messages");
    }

    @Test
    void theCallersBodyIsNotChanged() throws Exception {
        ChatRequest clientRequest = request("""
                {"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f",
                 "parameters":{"type":"object","$schema":"x","properties":{}}}}]}""");
        JsonNode before = clientRequest.body().deepCopy();
        vendor.toUpstream(clientRequest, TARGET);
        assertEquals(before, clientRequest.body());
    }

    private void assertRejected(String bodyJson, String param) {
        ApiException e = assertThrows(ApiException.class, () -> vendor.toUpstream(request(bodyJson), TARGET));
        ApiError error = e.error();
        assertEquals(400, error.status());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals(param, error.param());
        assertTrue(error.message() != null && !error.message().isBlank());
    }

    private JsonNode body(String bodyJson) throws ApiException {
        return json(new String(vendor.toUpstream(request(bodyJson), TARGET).body(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    private static ChatRequest request(String bodyJson) {
        ObjectNode body = (ObjectNode) json(bodyJson);
        body.put("model", GeminiTestSupport.MODEL);
        boolean stream = body.path("stream").asBoolean(false);
        return new ChatRequest(GeminiTestSupport.MODEL, stream, false, body);
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
