package dev.switchboard.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsageParserTest {
    private static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null},
                         "logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16,
                      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},
             "system_fingerprint":"fp_1"}""";
    private static final String USAGE_CHUNK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1767225600,\"model\":\"m\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}";
    private static final String CONTENT_CHUNK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1767225600,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";

    private final AccessRecord record = new AccessRecord();

    @Test
    void nonStreamBodyWithUsage() {
        assertTrue(UsageParser.read(COMPLETION.getBytes(StandardCharsets.UTF_8), record));

        assertEquals(12, record.promptTokens());
        assertEquals(4, record.completionTokens());
    }

    @Test
    void usageOnlyChunk() {
        assertTrue(UsageParser.read(USAGE_CHUNK, record));

        assertEquals(7, record.promptTokens());
        assertEquals(3, record.completionTokens());
    }

    @Test
    void chunkWithNullUsageHasNone() {
        assertFalse(UsageParser.read(CONTENT_CHUNK, record));

        assertFalse(record.hasUsage());
    }

    @Test
    void usageNestedInsideChoicesIsIgnored() {
        String nested = "{\"id\":\"x\",\"choices\":[{\"index\":0,\"usage\":{\"prompt_tokens\":99,"
                + "\"completion_tokens\":99}}],\"meta\":{\"usage\":{\"prompt_tokens\":98,\"completion_tokens\":98}}}";

        assertFalse(UsageParser.read(nested, record));
        assertFalse(record.hasUsage());
    }

    @Test
    void topLevelUsageAfterNestedUsageCounts() {
        String both = "{\"choices\":[{\"usage\":{\"prompt_tokens\":99,\"completion_tokens\":99}}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}";

        assertTrue(UsageParser.read(both, record));

        assertEquals(5, record.promptTokens());
        assertEquals(6, record.completionTokens());
    }

    @Test
    void missingCountIsZero() {
        assertTrue(UsageParser.read("{\"usage\":{\"prompt_tokens\":8}}", record));

        assertEquals(8, record.promptTokens());
        assertEquals(0, record.completionTokens());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "{",
        "{\"usage\":",
        "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":",
        "{\"usage\":{\"prompt_tokens\":3,,}}",
        "<html>",
        "[{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}]",
        "{\"usage\":{}}",
        "{\"usage\":{\"prompt_tokens\":\"3\",\"completion_tokens\":\"4\"}}",
        "{\"usage\":[3,4]}",
        "[DONE]",
    })
    void brokenOrUselessJsonHasNoUsage(String json) {
        assertFalse(UsageParser.read(json, record));
        assertFalse(UsageParser.read(json.getBytes(StandardCharsets.UTF_8), record));

        assertFalse(record.hasUsage());
    }

    @Test
    void mayCarryUsageSpotsOnlyChunksWithAUsageObject() {
        assertTrue(UsageParser.mayCarryUsage(USAGE_CHUNK));
        assertTrue(UsageParser.mayCarryUsage("{\"usage\": {\"prompt_tokens\": 1}}"));
        assertFalse(UsageParser.mayCarryUsage(CONTENT_CHUNK));
        assertFalse(UsageParser.mayCarryUsage("[DONE]"));
    }
}
