package dev.switchboard.vendor.anthropic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.Json;

/**
 * Anthropic's {@code usage} object; any count may be absent ({@code null}) in a stream's {@code message_delta}.
 * {@code input_tokens} excludes cached and cache-written tokens (WIRE-FORMATS.md §2.5), so OpenAI's
 * {@code prompt_tokens} is the sum of all three.
 */
record AnthropicUsage(
        @JsonProperty("input_tokens") Long inputTokens,
        @JsonProperty("output_tokens") Long outputTokens,
        @JsonProperty("cache_creation_input_tokens") Long cacheCreationInputTokens,
        @JsonProperty("cache_read_input_tokens") Long cacheReadInputTokens) {

    static final AnthropicUsage NONE = new AnthropicUsage(null, null, null, null);

    /**
     * The counts of {@code later} where it has them, else these: {@code message_delta} usage is cumulative, so it
     * overwrites rather than adds (the Anthropic SDK does the same, lib/streaming/_messages.py).
     */
    AnthropicUsage overwrittenBy(AnthropicUsage later) {
        if (later == null) {
            return this;
        }
        return new AnthropicUsage(
                later.inputTokens != null ? later.inputTokens : inputTokens,
                later.outputTokens != null ? later.outputTokens : outputTokens,
                later.cacheCreationInputTokens != null ? later.cacheCreationInputTokens : cacheCreationInputTokens,
                later.cacheReadInputTokens != null ? later.cacheReadInputTokens : cacheReadInputTokens);
    }

    /** OpenAI's {@code CompletionUsage}. Anthropic does not report thinking tokens apart, so reasoning is 0. */
    ObjectNode toOpenAi() {
        long cacheRead = zeroIfNull(cacheReadInputTokens);
        long prompt = zeroIfNull(inputTokens) + zeroIfNull(cacheCreationInputTokens) + cacheRead;
        long completion = zeroIfNull(outputTokens);
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        usage.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return usage;
    }

    private static long zeroIfNull(Long value) {
        return value == null ? 0 : value;
    }
}
