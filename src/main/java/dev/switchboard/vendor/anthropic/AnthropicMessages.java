package dev.switchboard.vendor.anthropic;

import static dev.switchboard.vendor.anthropic.AnthropicRequests.invalid;
import static dev.switchboard.vendor.anthropic.AnthropicRequests.invalidType;
import static dev.switchboard.vendor.anthropic.AnthropicRequests.unsupported;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * OpenAI {@code messages} → Anthropic {@code system} and {@code messages} (WIRE-FORMATS.md §2.2): system and
 * developer text hoisted in order, tool results as user turns, and consecutive turns of one role merged, because
 * Anthropic requires user and assistant to alternate.
 */
final class AnthropicMessages {
    /** The image types Anthropic accepts (docs.claude.com/en/docs/build-with-claude/vision). */
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");

    /** The converted conversation; {@code system} is {@code null} when the caller sent none. */
    record Converted(String system, ArrayNode messages) {}

    private AnthropicMessages() {}

    static Converted convert(JsonNode clientMessages) throws ApiException {
        List<String> system = new ArrayList<>();
        ArrayNode upstreamMessages = Json.MAPPER.createArrayNode();
        for (int i = 0; i < clientMessages.size(); i++) {
            JsonNode message = clientMessages.get(i);
            String param = "messages[" + i + "]";
            String role = message.get("role").textValue();
            switch (role) {
                case "system", "developer" -> {
                    String text = systemText(message.get("content"), param + ".content");
                    if (!text.isEmpty()) {
                        system.add(text);
                    }
                }
                case "user" -> append(upstreamMessages, "user", userBlocks(message.get("content"), param + ".content"));
                case "assistant" -> append(upstreamMessages, "assistant", assistantBlocks(message, param));
                case "tool" -> append(upstreamMessages, "user", List.of(toolResult(message, param)));
                case "function" -> throw unsupported(param + ".role",
                        "'function' messages are deprecated and not supported here; use 'tool' messages.");
                default -> throw invalid(param + ".role", "Unknown role '" + role + "'.");
            }
        }
        return new Converted(system.isEmpty() ? null : String.join("\n\n", system), upstreamMessages);
    }

    /**
     * Adds a turn, merging it into the previous one when the role repeats. In a user turn, tool results go first:
     * Anthropic wants them right after the assistant's tool_use turn (docs:parallel-tool-use).
     */
    private static void append(ArrayNode upstreamMessages, String role, List<ObjectNode> blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        JsonNode last = upstreamMessages.isEmpty() ? null : upstreamMessages.get(upstreamMessages.size() - 1);
        ArrayNode content;
        if (last != null && role.equals(last.get("role").textValue())) {
            content = (ArrayNode) last.get("content");
        } else {
            ObjectNode turn = upstreamMessages.addObject();
            turn.put("role", role);
            content = turn.putArray("content");
        }
        content.addAll(blocks);
        if ("user".equals(role)) {
            List<JsonNode> results = new ArrayList<>();
            List<JsonNode> others = new ArrayList<>();
            content.forEach(block -> ("tool_result".equals(block.get("type").textValue()) ? results : others)
                    .add(block));
            content.removeAll();
            content.addAll(results);
            content.addAll(others);
        }
    }

    private static String systemText(JsonNode content, String param) throws ApiException {
        List<String> texts = new ArrayList<>();
        for (ObjectNode block : contentBlocks(content, param, false)) {
            if (!"text".equals(block.get("type").textValue())) {
                throw unsupported(param, "System and developer messages may only contain text.");
            }
            texts.add(block.get("text").textValue());
        }
        return String.join("\n\n", texts);
    }

    private static List<ObjectNode> userBlocks(JsonNode content, String param) throws ApiException {
        if (content == null || content.isNull()) {
            throw invalid(param, "User messages need 'content'.");
        }
        return contentBlocks(content, param, true);
    }

    private static List<ObjectNode> assistantBlocks(JsonNode message, String param) throws ApiException {
        List<ObjectNode> blocks = new ArrayList<>(contentBlocks(message.get("content"), param + ".content", false));
        JsonNode toolCalls = message.get("tool_calls");
        if (toolCalls == null || toolCalls.isNull()) {
            return blocks;
        }
        if (!toolCalls.isArray()) {
            throw invalidType(param + ".tool_calls", "an array");
        }
        for (int j = 0; j < toolCalls.size(); j++) {
            blocks.add(toolUse(toolCalls.get(j), param + ".tool_calls[" + j + "]"));
        }
        return blocks;
    }

    /** An assistant tool call → {@code tool_use}; {@code arguments} is JSON text that must parse to an object. */
    private static ObjectNode toolUse(JsonNode toolCall, String param) throws ApiException {
        JsonNode function = toolCall.get("function");
        String id = text(toolCall, "id", param + ".id");
        if (toolCall.has("type") && !"function".equals(toolCall.get("type").asText())) {
            throw unsupported(param + ".type", "Only 'function' tool calls are supported.");
        }
        if (function == null || !function.isObject()) {
            throw invalidType(param + ".function", "an object");
        }
        String name = text(function, "name", param + ".function.name");
        JsonNode arguments = function.get("arguments");
        JsonNode input;
        if (arguments == null || arguments.isNull() || arguments.isTextual() && arguments.textValue().isBlank()) {
            input = Json.MAPPER.createObjectNode();
        } else if (!arguments.isTextual()) {
            throw invalidType(param + ".function.arguments", "a string of JSON text");
        } else {
            try {
                input = Json.MAPPER.readTree(arguments.textValue());
            } catch (JsonProcessingException e) {
                throw invalid(param + ".function.arguments", "The tool call arguments are not valid JSON.");
            }
            if (input == null || !input.isObject()) {
                throw invalid(param + ".function.arguments", "The tool call arguments must be a JSON object.");
            }
        }
        ObjectNode block = Json.MAPPER.createObjectNode();
        block.put("type", "tool_use");
        block.put("id", id);
        block.put("name", name);
        block.set("input", input);
        return block;
    }

    private static ObjectNode toolResult(JsonNode message, String param) throws ApiException {
        ObjectNode block = Json.MAPPER.createObjectNode();
        block.put("type", "tool_result");
        block.put("tool_use_id", text(message, "tool_call_id", param + ".tool_call_id"));
        JsonNode content = message.get("content");
        if (content != null && content.isTextual()) {
            block.put("content", content.textValue());
        } else {
            List<ObjectNode> blocks = contentBlocks(content, param + ".content", false);
            if (!blocks.isEmpty()) {
                block.putArray("content").addAll(blocks);
            }
        }
        return block;
    }

    /**
     * A message's {@code content} (a string, an array of parts, or null) as Anthropic blocks. Empty text is left
     * out: Anthropic refuses empty text blocks, and clients send {@code "content":""} next to tool calls.
     */
    private static List<ObjectNode> contentBlocks(JsonNode content, String param, boolean media)
            throws ApiException {
        List<ObjectNode> blocks = new ArrayList<>();
        if (content == null || content.isNull()) {
            return blocks;
        }
        if (content.isTextual()) {
            addText(blocks, content.textValue());
            return blocks;
        }
        if (!content.isArray()) {
            throw invalidType(param, "a string or an array of content parts");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partParam = param + "[" + j + "]";
            String type = part.isObject() ? text(part, "type", partParam + ".type") : null;
            if (type == null) {
                throw invalidType(partParam, "an object");
            }
            switch (type) {
                case "text" -> addText(blocks, text(part, "text", partParam + ".text"));
                // Assistant history may hold the refusal the model gave; for Anthropic it is what was said.
                case "refusal" -> addText(blocks, text(part, "refusal", partParam + ".refusal"));
                case "image_url" -> {
                    if (!media) {
                        throw unsupported(partParam, "Images are only supported in user messages.");
                    }
                    blocks.add(image(part.get("image_url"), partParam + ".image_url"));
                }
                case "input_audio" -> throw unsupported(partParam, "Audio input is not supported for this model.");
                case "file" -> throw unsupported(partParam, "File input is not supported for this model.");
                default -> throw unsupported(partParam + ".type", "Unknown content part type '" + type + "'.");
            }
        }
        return blocks;
    }

    private static void addText(List<ObjectNode> blocks, String text) {
        if (!text.isEmpty()) {
            blocks.add(Json.MAPPER.createObjectNode().put("type", "text").put("text", text));
        }
    }

    /** {@code data:} URLs become base64 sources and https URLs url sources; Anthropic fetches nothing else. */
    private static ObjectNode image(JsonNode imageUrl, String param) throws ApiException {
        if (imageUrl == null || !imageUrl.isObject()) {
            throw invalidType(param, "an object");
        }
        String url = text(imageUrl, "url", param + ".url");
        ObjectNode block = Json.MAPPER.createObjectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.regionMatches(true, 0, "https://", 0, 8)) {
            source.put("type", "url").put("url", url);
            return block;
        }
        if (!url.regionMatches(true, 0, "data:", 0, 5)) {
            throw invalid(param + ".url", "Image URLs must be https:// or data: URLs.");
        }
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma);
        if (!header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw invalid(param + ".url", "Image data URLs must be base64-encoded.");
        }
        String mediaType = header.substring(0, header.length() - ";base64".length()).toLowerCase(Locale.ROOT);
        if (!IMAGE_TYPES.contains(mediaType)) {
            throw invalid(param + ".url", "Image type '" + mediaType + "' is not supported; use "
                    + "image/jpeg, image/png, image/gif or image/webp.");
        }
        source.put("type", "base64").put("media_type", mediaType).put("data", url.substring(comma + 1));
        return block;
    }

    private static String text(JsonNode object, String field, String param) throws ApiException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw invalid(param, "'" + param + "' is required.");
        }
        if (!value.isTextual()) {
            throw invalidType(param, "a string");
        }
        return value.textValue();
    }
}
