package dev.switchboard.vendor.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Anthropic {@code Message} body → OpenAI {@code chat.completion} body (WIRE-FORMATS.md §2.3–2.5). */
final class AnthropicResponses {
    private AnthropicResponses() {}

    static byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest, long created)
            throws UpstreamFormatException {
        AnthropicMessage upstreamResponse = read(upstreamBody);

        StringBuilder text = null;
        StringBuilder thinking = null;
        ArrayNode toolCalls = Json.MAPPER.createArrayNode();
        for (AnthropicMessage.Block block : upstreamResponse.content()) {
            if (block == null || block.type() == null) {
                throw invalid("a content block without a type");
            }
            switch (block.type()) {
                case "text" -> text = append(text, block.text());
                case "thinking" -> thinking = append(thinking, block.thinking());
                case "tool_use" -> toolCalls.add(toolCall(block));
                default -> {
                    // redacted_thinking, server tool blocks, …: OpenAI's message has no place for them.
                }
            }
        }

        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.put("content", text == null ? null : text.toString());
        message.putNull("refusal");
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
        if (thinking != null) {
            // Not in OpenAI's schema; the name DeepSeek and others use, which SDKs keep as an extra field.
            message.put("reasoning_content", thinking.toString());
        }

        ObjectNode clientResponse = Json.MAPPER.createObjectNode();
        clientResponse.put("id", "chatcmpl-" + upstreamResponse.id());
        clientResponse.put("object", "chat.completion");
        clientResponse.put("created", created);
        clientResponse.put("model", clientRequest.model());
        ObjectNode choice = clientResponse.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(upstreamResponse.stopReason()));
        AnthropicUsage usage = upstreamResponse.usage() == null ? AnthropicUsage.NONE : upstreamResponse.usage();
        clientResponse.set("usage", usage.toOpenAi());
        try {
            return Json.MAPPER.writeValueAsBytes(clientResponse);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Anthropic {@code stop_reason} → OpenAI {@code finish_reason} (WIRE-FORMATS.md §2.4). {@code pause_turn} asks
     * the client to resend the turn, which OpenAI clients cannot express, so it ends as {@code stop}; an unknown or
     * missing reason does too.
     */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /** A tool's input as OpenAI's {@code arguments} string: compact JSON, {@code "{}"} for no input. */
    static String arguments(JsonNode input) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            return "{}";
        }
        try {
            return Json.MAPPER.writeValueAsString(input);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode toolCall(AnthropicMessage.Block block) throws UpstreamFormatException {
        if (block.id() == null || block.name() == null) {
            throw invalid("a tool_use block without an id or a name");
        }
        ObjectNode toolCall = Json.MAPPER.createObjectNode();
        toolCall.put("id", block.id());
        toolCall.put("type", "function");
        toolCall.putObject("function").put("name", block.name()).put("arguments", arguments(block.input()));
        return toolCall;
    }

    private static AnthropicMessage read(byte[] upstreamBody) throws UpstreamFormatException {
        AnthropicMessage upstreamResponse;
        try {
            upstreamResponse = Json.MAPPER.readValue(upstreamBody, AnthropicMessage.class);
        } catch (IOException e) {
            throw invalid("a body that is not an Anthropic Message");
        }
        if (upstreamResponse == null || upstreamResponse.id() == null || upstreamResponse.content() == null) {
            throw invalid("a body without an id or content");
        }
        return upstreamResponse;
    }

    private static StringBuilder append(StringBuilder to, String text) {
        StringBuilder builder = to == null ? new StringBuilder() : to;
        return text == null ? builder : builder.append(text);
    }

    private static UpstreamFormatException invalid(String what) {
        return new UpstreamFormatException(UpstreamFormatException.INVALID_RESPONSE,
                "The upstream answered with " + what + ".");
    }
}
