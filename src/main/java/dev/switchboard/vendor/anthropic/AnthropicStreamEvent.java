package dev.switchboard.vendor.anthropic;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code data} of one Anthropic stream event; which fields are set depends on {@code type}
 * (docs.claude.com/en/api/messages-streaming): {@code message} on {@code message_start}, {@code index} and
 * {@code content_block} on {@code content_block_start}, {@code index} and {@code delta} on
 * {@code content_block_delta}, {@code delta} and {@code usage} on {@code message_delta}, {@code error} on
 * {@code error}.
 */
record AnthropicStreamEvent(
        String type,
        AnthropicMessage message,
        Integer index,
        @JsonProperty("content_block") AnthropicMessage.Block contentBlock,
        Delta delta,
        AnthropicUsage usage,
        AnthropicError error) {

    /** A content block delta ({@code text_delta}, {@code thinking_delta}, {@code input_json_delta}, …) or a message delta. */
    record Delta(
            String type,
            String text,
            String thinking,
            @JsonProperty("partial_json") String partialJson,
            @JsonProperty("stop_reason") String stopReason) {}
}
