package dev.switchboard.vendor.anthropic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Anthropic's {@code Message}, the non-streaming response and the {@code message} of a stream's
 * {@code message_start}; only the fields the gateway reads.
 */
record AnthropicMessage(
        String id,
        String type,
        List<Block> content,
        @JsonProperty("stop_reason") String stopReason,
        AnthropicUsage usage) {

    /**
     * One content block: {@code text} ({@code text}), {@code thinking} ({@code thinking}) or {@code tool_use}
     * ({@code id}, {@code name}, {@code input}); other types are read and ignored.
     */
    record Block(String type, String text, String thinking, String id, String name, JsonNode input) {}
}
