package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-request: OpenAI {@code messages} → Gemini {@code contents} and {@code systemInstruction} (WIRE-FORMATS.md
 * §3.2). Not thread-safe; one instance reads one request.
 */
final class GeminiContents {
    private final ArrayNode contents = Json.MAPPER.createArrayNode();
    private final StringBuilder systemText = new StringBuilder();
    /** tool_call id → function name: a Gemini functionResponse needs the name, an OpenAI tool message has only the id. */
    private final Map<String, String> toolNames = new HashMap<>();

    private GeminiContents() {}

    /** Puts {@code contents} and, when there are system or developer messages, {@code systemInstruction}. */
    static void map(JsonNode messages, ObjectNode upstreamBody) throws ApiException {
        GeminiContents mapping = new GeminiContents();
        for (int i = 0; i < messages.size(); i++) {
            mapping.message(messages.get(i), "messages[" + i + "]");
        }
        if (mapping.contents.isEmpty()) {
            throw GeminiRequests.unsupported("messages",
                    "Gemini needs at least one user or assistant message besides system messages.");
        }
        if (!mapping.systemText.isEmpty()) {
            upstreamBody.putObject("systemInstruction").putArray("parts").addObject()
                    .put("text", mapping.systemText.toString());
        }
        upstreamBody.set("contents", mapping.contents);
    }

    private void message(JsonNode message, String param) throws ApiException {
        String role = message.path("role").asText();
        switch (role) {
            case "system", "developer" -> {
                // Gemini has one system instruction and no system turns, so every one joins it in order.
                if (!systemText.isEmpty()) {
                    systemText.append("\n\n");
                }
                systemText.append(text(message.get("content"), param + ".content"));
            }
            case "user" -> add("user", userParts(message.get("content"), param + ".content"));
            case "assistant" -> add("model", assistantParts(message, param));
            case "tool" -> add("user", toolParts(message, param));
            default -> throw GeminiRequests.unsupported(param + ".role",
                    "Role '" + role + "' is not supported for Gemini; use system, developer, user, assistant or tool.");
        }
    }

    /** Consecutive turns of one role become one Content: Gemini expects user and model turns to alternate. */
    private void add(String role, ArrayNode parts) {
        if (parts.isEmpty()) {
            return;
        }
        JsonNode last = contents.isEmpty() ? null : contents.get(contents.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.get("parts")).addAll(parts);
            return;
        }
        ObjectNode content = contents.addObject();
        content.put("role", role);
        content.set("parts", parts);
    }

    private static ArrayNode userParts(JsonNode content, String param) throws ApiException {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        if (content != null && content.isTextual()) {
            parts.addObject().put("text", content.textValue());
            return parts;
        }
        if (content == null || !content.isArray()) {
            throw GeminiRequests.unsupported(param, "'" + param + "' must be a string or an array of content parts.");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partParam = param + "[" + j + "]";
            String type = part.path("type").asText();
            switch (type) {
                case "text" -> parts.addObject().put("text", part.path("text").asText());
                case "image_url" -> parts.add(GeminiMedia.image(part.path("image_url").path("url").asText(),
                        partParam + ".image_url.url"));
                case "input_audio" -> parts.add(GeminiMedia.audio(part.path("input_audio"), partParam + ".input_audio"));
                default -> throw GeminiRequests.unsupported(partParam + ".type",
                        "Content part type '" + type + "' is not supported for Gemini.");
            }
        }
        return parts;
    }

    private ArrayNode assistantParts(JsonNode message, String param) throws ApiException {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        JsonNode content = message.get("content");
        if (content != null && !content.isNull()) {
            String text = textOrRefusal(content, param + ".content");
            if (!text.isEmpty()) {
                parts.addObject().put("text", text);
            }
        }
        JsonNode toolCalls = message.get("tool_calls");
        if (toolCalls != null && !toolCalls.isNull()) {
            for (int j = 0; j < toolCalls.size(); j++) {
                parts.add(functionCall(toolCalls.get(j), param + ".tool_calls[" + j + "]"));
            }
        }
        return parts;
    }

    private ObjectNode functionCall(JsonNode toolCall, String param) throws ApiException {
        String id = toolCall.path("id").asText();
        String name = toolCall.path("function").path("name").asText();
        if (name.isEmpty()) {
            throw GeminiRequests.unsupported(param + ".function.name", "A tool call needs a function name.");
        }
        toolNames.put(id, name);
        ObjectNode part = Json.MAPPER.createObjectNode();
        ObjectNode functionCall = part.putObject("functionCall");
        String geminiId = geminiId(id);
        if (!geminiId.isEmpty()) {
            functionCall.put("id", geminiId);
        }
        functionCall.put("name", name);
        functionCall.set("args", arguments(toolCall.path("function").path("arguments"), param + ".function.arguments"));
        int separator = id.indexOf(GeminiOutput.SIGNATURE_SEPARATOR);
        if (separator >= 0) {
            part.put("thoughtSignature", id.substring(separator + GeminiOutput.SIGNATURE_SEPARATOR.length()));
        }
        return part;
    }

    private static JsonNode arguments(JsonNode arguments, String param) throws ApiException {
        String text = arguments.isTextual() ? arguments.textValue().trim() : "";
        if (text.isEmpty()) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            JsonNode args = Json.MAPPER.readTree(text);
            if (args != null && args.isObject()) {
                return args;
            }
        } catch (IOException e) {
            // reported below
        }
        // Gemini's FunctionCall.args is a Struct (content.proto): only a JSON object fits.
        throw GeminiRequests.unsupported(param, "'" + param + "' must be a JSON object for Gemini.");
    }

    private ArrayNode toolParts(JsonNode message, String param) throws ApiException {
        String toolCallId = message.path("tool_call_id").asText();
        String name = toolNames.get(toolCallId);
        if (name == null) {
            // FunctionResponse.name is required (content.proto) and only an earlier tool call knows it.
            throw GeminiRequests.unsupported(param + ".tool_call_id",
                    "No earlier assistant tool call has the id '" + toolCallId + "'.");
        }
        String text = text(message.get("content"), param + ".content");
        ArrayNode parts = Json.MAPPER.createArrayNode();
        ObjectNode functionResponse = parts.addObject().putObject("functionResponse");
        String geminiId = geminiId(toolCallId);
        if (!geminiId.isEmpty()) {
            functionResponse.put("id", geminiId);
        }
        functionResponse.put("name", name);
        // FunctionResponse.response is a Struct, so the result is wrapped; a JSON object stays structured.
        functionResponse.putObject("response").set("content", jsonObjectOrText(text));
        return parts;
    }

    private static JsonNode jsonObjectOrText(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode parsed = Json.MAPPER.readTree(trimmed);
                if (parsed != null && parsed.isObject()) {
                    return parsed;
                }
            } catch (IOException e) {
                // plain text that starts with a brace
            }
        }
        return Json.MAPPER.getNodeFactory().textNode(text);
    }

    /** The id part of an OpenAI tool-call id, without a thought signature the gateway appended to it. */
    private static String geminiId(String openAiId) {
        int separator = openAiId.indexOf(GeminiOutput.SIGNATURE_SEPARATOR);
        return separator >= 0 ? openAiId.substring(0, separator) : openAiId;
    }

    /** A string, or an array of text parts joined without separator (how OpenAI reads such an array). */
    private static String text(JsonNode content, String param) throws ApiException {
        if (content != null && content.isTextual()) {
            return content.textValue();
        }
        if (content == null || !content.isArray()) {
            throw GeminiRequests.unsupported(param, "'" + param + "' must be a string or an array of text parts.");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            if (!"text".equals(part.path("type").asText())) {
                throw GeminiRequests.unsupported(param + "[" + j + "].type",
                        "Only text parts are supported here for Gemini.");
            }
            text.append(part.path("text").asText());
        }
        return text.toString();
    }

    /** Assistant history may hold a refusal part; it is what the model said, so it goes back as text. */
    private static String textOrRefusal(JsonNode content, String param) throws ApiException {
        if (content.isArray() && content.size() == 1
                && "refusal".equals(content.get(0).path("type").asText().toLowerCase(Locale.ROOT))) {
            return content.get(0).path("refusal").asText();
        }
        return text(content, param);
    }
}
