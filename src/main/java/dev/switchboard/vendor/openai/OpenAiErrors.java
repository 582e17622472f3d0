package dev.switchboard.vendor.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.Json;
import java.io.IOException;
import java.util.Map;

/**
 * OpenAI-compatible error body {@code {"error":{message,type,param,code}}} → {@link ApiError} with the same fields.
 * Public for upstreams whose errors are OpenAI-shaped behind a different request format (Azure OpenAI).
 */
public final class OpenAiErrors {
    private static final int MAX_MESSAGE = 2000;

    private OpenAiErrors() {}

    public static ApiError toClientError(int status, byte[] body) {
        String fallbackType = status >= 500 ? ApiError.SERVER_ERROR : ApiError.INVALID_REQUEST;
        JsonNode error = null;
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            error = root == null ? null : root.get("error");
        } catch (IOException e) {
            // Not JSON (an HTML page from a proxy, say): never relayed, it may carry internal details.
        }
        if (error == null || !error.isObject()) {
            return new ApiError(status, fallbackType, "upstream_error", null,
                    "The upstream returned HTTP " + status + ".", Map.of());
        }
        String message = text(error, "message");
        return new ApiError(status,
                orElse(text(error, "type"), fallbackType),
                orElse(text(error, "code"), "upstream_error"),
                text(error, "param"),
                message == null ? "The upstream returned HTTP " + status + "." : truncate(message),
                Map.of());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
    }
}
