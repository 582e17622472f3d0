package dev.switchboard.vendor.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnthropicRequestsTest {
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final UpstreamTarget TARGET =
            new UpstreamTarget("https://api.anthropic.com/v1", "claude-sonnet-4-5", "sk-ant-secret");

    private final AnthropicVendor vendor = new AnthropicVendor();

    @Test
    void postsToMessagesWithApiKeyAndVersionNeverAuthorization() throws Exception {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request("{\"model\":\"fast\"," + HI + "}"), TARGET);

        assertEquals(URI.create("https://api.anthropic.com/v1/messages"), upstreamRequest.uri());
        assertEquals("sk-ant-secret", upstreamRequest.headers().get("x-api-key"));
        assertEquals("2023-06-01", upstreamRequest.headers().get("anthropic-version"));
        assertEquals("application/json", upstreamRequest.headers().get("Accept"));
        assertTrue(upstreamRequest.headers().keySet().stream().noneMatch("authorization"::equalsIgnoreCase));
    }

    @Test
    void apiVersionAndDefaultMaxTokensComeFromThePlatformSettings() throws Exception {
        UpstreamTarget target = new UpstreamTarget("http://127.0.0.1:9/v1", "claude-x", "t",
                new VendorSettings(1234, "2099-01-01"));

        UpstreamRequest upstreamRequest = vendor.toUpstream(request("{\"model\":\"fast\"," + HI + "}"), target);

        assertEquals("2099-01-01", upstreamRequest.headers().get("anthropic-version"));
        assertEquals(1234, body(upstreamRequest).get("max_tokens").intValue());
    }

    @Test
    void minimalRequest() throws Exception {
        JsonNode upstreamBody = convert("{\"model\":\"fast\"," + HI + ",\"store\":true,\"metadata\":{\"a\":\"b\"},"
                + "\"service_tier\":\"auto\",\"prompt_cache_key\":\"k\",\"n\":1,\"logprobs\":false,"
                + "\"frequency_penalty\":0,\"presence_penalty\":0.0,\"response_format\":{\"type\":\"text\"}}");

        assertEquals(Json.MAPPER.readTree("""
                {"model":"claude-sonnet-4-5","max_tokens":4096,
                 "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"""), upstreamBody);
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() throws Exception {
        assertEquals(77, convert("{\"model\":\"m\"," + HI + ",\"max_tokens\":55,\"max_completion_tokens\":77}")
                .get("max_tokens").intValue());
        assertEquals(55, convert("{\"model\":\"m\"," + HI + ",\"max_tokens\":55}").get("max_tokens").intValue());
    }

    @Test
    void systemAndDeveloperAreJoinedInOrderAndTurnsOfOneRoleMerged() throws Exception {
        JsonNode upstreamBody = convert("""
                {"model":"m","messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":"one"},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                  {"role":"user","content":[{"type":"text","text":"two"}]},
                  {"role":"assistant","content":"un"},
                  {"role":"assistant","content":[{"type":"text","text":"deux"}]},
                  {"role":"user","content":"three"}]}""");

        assertEquals("Be brief.\n\nAnswer in French.", upstreamBody.get("system").textValue());
        assertEquals(Json.MAPPER.readTree("""
                [{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},
                 {"role":"assistant","content":[{"type":"text","text":"un"},{"type":"text","text":"deux"}]},
                 {"role":"user","content":[{"type":"text","text":"three"}]}]"""), upstreamBody.get("messages"));
    }

    @Test
    void imagesFromDataAndHttpsUrls() throws Exception {
        JsonNode upstreamBody = convert("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"high"}}]}]}""");

        assertEquals(Json.MAPPER.readTree("""
                [{"type":"text","text":"What is this?"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                 {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]"""),
                upstreamBody.at("/messages/0/content"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com/a.png", "ftp://example.com/a.png", "file:///etc/passwd",
        "data:image/png,notbase64", "data:image/tiff;base64,AAAA"})
    void otherImageUrlsAreRefusedNamingTheParam(String url) {
        ApiError error = reject("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"x\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\"}}]}]}");

        assertEquals("messages[0].content[1].image_url.url", error.param());
    }

    @Test
    void toolRoundTripKeepsIdsAndPutsResultsInOneUserTurn() throws Exception {
        JsonNode upstreamBody = convert("""
                {"model":"m","messages":[
                  {"role":"user","content":"Weather and time in Paris?"},
                  {"role":"assistant","content":"","tool_calls":[
                    {"id":"toolu_A","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"toolu_B","type":"function","function":{"name":"get_time","arguments":""}}]},
                  {"role":"tool","tool_call_id":"toolu_A","content":"18C"},
                  {"role":"tool","tool_call_id":"toolu_B","content":[{"type":"text","text":"14:00"}]},
                  {"role":"user","content":"Thanks"}]}""");

        assertEquals(Json.MAPPER.readTree("""
                [{"role":"user","content":[{"type":"text","text":"Weather and time in Paris?"}]},
                 {"role":"assistant","content":[
                   {"type":"tool_use","id":"toolu_A","name":"get_weather","input":{"city":"Paris"}},
                   {"type":"tool_use","id":"toolu_B","name":"get_time","input":{}}]},
                 {"role":"user","content":[
                   {"type":"tool_result","tool_use_id":"toolu_A","content":"18C"},
                   {"type":"tool_result","tool_use_id":"toolu_B","content":[{"type":"text","text":"14:00"}]},
                   {"type":"text","text":"Thanks"}]}]"""), upstreamBody.get("messages"));
    }

    @Test
    void toolResultsGoBeforeUserTextInTheSameTurn() throws Exception {
        JsonNode upstreamBody = convert("""
                {"model":"m","messages":[
                  {"role":"user","content":"go"},
                  {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"user","content":"wait"},
                  {"role":"tool","tool_call_id":"t1","content":"done"}]}""");

        assertEquals("tool_result", upstreamBody.at("/messages/2/content/0/type").textValue());
        assertEquals("wait", upstreamBody.at("/messages/2/content/1/text").textValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\\\"city\\\":", "not json", "[1,2]", "\\\"text\\\""})
    void toolArgumentsThatAreNotAJsonObjectAre400(String arguments) {
        ApiError error = reject("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"f\",\"arguments\":\"" + arguments + "\"}}]}]}");

        assertEquals("messages[1].tool_calls[0].function.arguments", error.param());
        assertEquals("invalid_value", error.code());
    }

    @Test
    void toolMessageWithoutToolCallIdIs400() {
        assertEquals("messages[0].tool_call_id",
                reject("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}").param());
    }

    @Test
    void toolsBecomeInputSchemas() throws Exception {
        JsonNode upstreamBody = convert("{\"model\":\"m\"," + HI + ",\"tools\":["
                + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}},\"strict\":true}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]}");

        assertEquals(Json.MAPPER.readTree("""
                [{"name":"get_weather","description":"Weather",
                  "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
                 {"name":"now","input_schema":{"type":"object","properties":{}}}]"""), upstreamBody.get("tools"));
        assertFalse(upstreamBody.has("tool_choice"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"auto\"                                       | {\"type\":\"auto\"}",
        "\"required\"                                   | {\"type\":\"any\"}",
        "\"none\"                                       | {\"type\":\"none\"}",
        "{\"type\":\"function\",\"function\":{\"name\":\"f\"}} | {\"type\":\"tool\",\"name\":\"f\"}",
    })
    void toolChoiceVariants(String toolChoice, String expected) throws Exception {
        JsonNode upstreamBody = convert("{\"model\":\"m\"," + HI + ",\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\"}}],\"tool_choice\":" + toolChoice + "}");

        assertEquals(Json.MAPPER.readTree(expected), upstreamBody.get("tool_choice"));
    }

    @Test
    void parallelToolCallsFalseDisablesParallelUse() throws Exception {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"parallel_tool_calls\":false";

        assertEquals(Json.MAPPER.readTree("{\"type\":\"any\",\"disable_parallel_tool_use\":true}"),
                convert("{\"model\":\"m\"," + HI + tools + ",\"tool_choice\":\"required\"}").get("tool_choice"));
        assertEquals(Json.MAPPER.readTree("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"),
                convert("{\"model\":\"m\"," + HI + tools + "}").get("tool_choice"));
    }

    @ParameterizedTest
    @CsvSource({"low, 4096, 1024, 4096", "medium, 8000, 4096, 8000", "high, , 16384, 20480", "high, 100, 16384, 16484"})
    void reasoningEffortBecomesAThinkingBudgetBelowMaxTokens(String effort, Integer maxTokens, int budget,
            int expectedMaxTokens) throws Exception {
        JsonNode upstreamBody = convert("{\"model\":\"m\"," + HI + ",\"reasoning_effort\":\"" + effort + "\""
                + (maxTokens == null ? "" : ",\"max_completion_tokens\":" + maxTokens) + "}");

        assertEquals(Json.MAPPER.readTree("{\"type\":\"enabled\",\"budget_tokens\":" + budget + "}"),
                upstreamBody.get("thinking"));
        assertEquals(expectedMaxTokens, upstreamBody.get("max_tokens").intValue());
        assertTrue(upstreamBody.get("thinking").get("budget_tokens").intValue()
                < upstreamBody.get("max_tokens").intValue());
    }

    @Test
    void reasoningEffortNoneMeansNoThinking() throws Exception {
        assertFalse(convert("{\"model\":\"m\"," + HI + ",\"reasoning_effort\":\"none\"}").has("thinking"));
        assertEquals("reasoning_effort",
                reject("{\"model\":\"m\"," + HI + ",\"reasoning_effort\":\"extreme\"}").param());
    }

    @Test
    void samplingStopUserAndStream() throws Exception {
        ChatRequest clientRequest = request("{\"model\":\"m\"," + HI + ",\"temperature\":1.7,\"top_p\":0.9,"
                + "\"stop\":\"END\",\"user\":\"u-42\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        UpstreamRequest upstreamRequest = vendor.toUpstream(clientRequest, TARGET);
        JsonNode upstreamBody = body(upstreamRequest);

        assertEquals(1.0, upstreamBody.get("temperature").doubleValue());
        assertEquals(0.9, upstreamBody.get("top_p").doubleValue());
        assertEquals(Json.MAPPER.readTree("[\"END\"]"), upstreamBody.get("stop_sequences"));
        assertEquals("u-42", upstreamBody.at("/metadata/user_id").textValue());
        assertTrue(upstreamBody.get("stream").booleanValue());
        assertFalse(upstreamBody.has("stream_options"));
        assertEquals("text/event-stream", upstreamRequest.headers().get("Accept"));

        JsonNode other = convert("{\"model\":\"m\"," + HI + ",\"temperature\":0.3,\"stop\":[\"a\",\"b\"]}");
        assertEquals(0.3, other.get("temperature").doubleValue());
        assertEquals(Json.MAPPER.readTree("[\"a\",\"b\"]"), other.get("stop_sequences"));
        assertFalse(other.has("stream"));
        assertFalse(other.has("metadata"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"n\":2                                                   | n",
        "\"seed\":42                                               | seed",
        "\"logprobs\":true                                         | logprobs",
        "\"top_logprobs\":3                                        | top_logprobs",
        "\"frequency_penalty\":0.5                                 | frequency_penalty",
        "\"presence_penalty\":-1                                   | presence_penalty",
        "\"response_format\":{\"type\":\"json_object\"}            | response_format",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}} | response_format",
        "\"logit_bias\":{\"50256\":-100}                           | logit_bias",
        "\"audio\":{\"voice\":\"alloy\",\"format\":\"mp3\"}         | audio",
        "\"modalities\":[\"text\",\"audio\"]                       | modalities",
        "\"functions\":[{\"name\":\"f\"}]                          | functions",
    })
    void answerChangingFieldsAre400NamingTheField(String field, String param) {
        ApiError error = reject("{\"model\":\"m\"," + HI + "," + field + "}");

        assertEquals(400, error.status());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals("unsupported_parameter", error.code());
        assertEquals(param, error.param());
    }

    @Test
    void audioInputIsRefusedNamingThePart() {
        ApiError error = reject("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAAA\",\"format\":\"wav\"}}]}]}");

        assertEquals("messages[0].content[0]", error.param());
    }

    @Test
    void theCallersRequestIsNotChanged() throws Exception {
        ChatRequest clientRequest = request("{\"model\":\"fast\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                + "{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}],\"reasoning_effort\":\"low\"}");
        JsonNode before = clientRequest.body().deepCopy();

        vendor.toUpstream(clientRequest, TARGET);
        vendor.toUpstream(clientRequest, TARGET);

        assertEquals(before, clientRequest.body());
    }

    @Test
    void noSystemMeansNoSystemField() throws Exception {
        assertNull(convert("{\"model\":\"m\"," + HI + "}").get("system"));
    }

    private JsonNode convert(String clientBody) throws ApiException {
        return body(vendor.toUpstream(request(clientBody), TARGET));
    }

    private ApiError reject(String clientBody) {
        return assertThrows(ApiException.class, () -> vendor.toUpstream(request(clientBody), TARGET)).error();
    }

    private static ChatRequest request(String clientBody) {
        try {
            ObjectNode body = (ObjectNode) Json.MAPPER.readTree(clientBody);
            boolean stream = body.path("stream").asBoolean(false);
            return new ChatRequest(body.get("model").textValue(), stream,
                    stream && body.at("/stream_options/include_usage").asBoolean(false), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode body(UpstreamRequest upstreamRequest) {
        try {
            return Json.MAPPER.readTree(upstreamRequest.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
