package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.Json;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * Google error body {@code {"error":{"code","message","status","details"}}} → {@link ApiError}, by the table in
 * WIRE-FORMATS.md §3.7: the gRPC-style {@code status} decides, the HTTP status is the fallback.
 */
final class GeminiErrors {
    private static final int MAX_MESSAGE = 2000;

    private GeminiErrors() {}

    static ApiError toClientError(int upstreamStatus, byte[] upstreamBody) {
        JsonNode error = errorObject(upstreamBody);
        if (error == null) {
            // Not Google's JSON (an HTML page from a proxy, say): never relayed, it may carry internal details.
            return new ApiError(upstreamStatus, fallbackType(upstreamStatus), "upstream_error", null,
                    "The upstream returned HTTP " + upstreamStatus + ".", Map.of());
        }
        String status = text(error, "status");
        String message = text(error, "message");
        message = message == null || message.isBlank() ? "The upstream returned HTTP " + upstreamStatus + "."
                : truncate(message);
        if (hasReason(error, "API_KEY_INVALID")) {
            // Gemini refuses a bad key with 400 INVALID_ARGUMENT; it is the gateway's credential, not the caller's
            // request, that is wrong, so it gets the same answer as a 401/403 from any upstream (RELIABILITY.md).
            return ApiError.server(502, "upstream_credentials_exhausted",
                    "The gateway's credentials for this platform were refused by the upstream.");
        }
        String code = status == null ? "upstream_error" : status.toLowerCase(Locale.ROOT);
        if (status == null) {
            return new ApiError(upstreamStatus, fallbackType(upstreamStatus), code, null, message, Map.of());
        }
        return switch (status) {
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" ->
                    ApiError.invalidRequest(400, code, null, message);
            case "RESOURCE_EXHAUSTED" ->
                    new ApiError(429, ApiError.RATE_LIMIT, "rate_limit_exceeded", null, message, Map.of());
            case "NOT_FOUND" -> ApiError.invalidRequest(404, code, null, message);
            case "UNAUTHENTICATED" -> new ApiError(401, ApiError.AUTHENTICATION, code, null, message, Map.of());
            case "PERMISSION_DENIED" -> ApiError.invalidRequest(403, code, null, message);
            case "UNAVAILABLE" -> ApiError.server(503, code, message);
            case "DEADLINE_EXCEEDED" -> ApiError.server(504, code, message);
            case "INTERNAL", "UNKNOWN", "DATA_LOSS" -> ApiError.server(500, code, message);
            default -> new ApiError(upstreamStatus, fallbackType(upstreamStatus), code, null, message, Map.of());
        };
    }

    private static JsonNode errorObject(byte[] body) {
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            return error != null && error.isObject() ? error : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code details[].reason} of a {@code google.rpc.ErrorInfo}, e.g. {@code API_KEY_INVALID}. */
    private static boolean hasReason(JsonNode error, String reason) {
        JsonNode details = error.get("details");
        if (details == null || !details.isArray()) {
            return false;
        }
        for (JsonNode detail : details) {
            if (reason.equals(text(detail, "reason"))) {
                return true;
            }
        }
        return false;
    }

    private static String fallbackType(int status) {
        return status >= 500 ? ApiError.SERVER_ERROR : ApiError.INVALID_REQUEST;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
    }
}
