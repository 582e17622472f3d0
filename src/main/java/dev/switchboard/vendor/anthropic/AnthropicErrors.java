package dev.switchboard.vendor.anthropic;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.Json;
import java.io.IOException;
import java.util.Map;

/**
 * Anthropic error body {@code {"type":"error","error":{"type","message"},"request_id"}} → {@link ApiError}. The
 * status follows the error type (docs.claude.com/en/api/errors, WIRE-FORMATS.md §2.7); the code is the Anthropic
 * error type, so a caller can still tell an overload from an internal error.
 */
final class AnthropicErrors {
    private static final int MAX_MESSAGE = 2000;

    /** The error body; {@code request_id} and {@code type} are not needed. */
    private record ErrorResponse(AnthropicError error) {}

    private AnthropicErrors() {}

    static ApiError toClientError(int status, byte[] body) {
        AnthropicError error = read(body);
        if (error == null || error.type() == null) {
            // Not Anthropic's shape (an HTML page from a proxy, say): never relayed, it may carry internal details.
            return new ApiError(clientStatus(status), fallbackType(status), "upstream_error", null,
                    "The upstream returned HTTP " + status + ".", Map.of());
        }
        String message = error.message() == null || error.message().isBlank()
                ? "The upstream returned HTTP " + status + " (" + error.type() + ")."
                : truncate(error.message());
        return switch (error.type()) {
            case "invalid_request_error" -> ApiError.invalidRequest(400, error.type(), null, message);
            // Cloudflare in front of the API answers 413 for bodies over 32 MB; OpenAI's clients know no 413.
            case "request_too_large" -> ApiError.invalidRequest(400, error.type(), null, message);
            case "authentication_error" -> new ApiError(401, ApiError.AUTHENTICATION, error.type(), null, message,
                    Map.of());
            case "permission_error" -> new ApiError(403, "permission_error", error.type(), null, message, Map.of());
            case "not_found_error" -> ApiError.invalidRequest(404, error.type(), null, message);
            // Out of credit: OpenAI reports the same as 429 insufficient_quota.
            case "billing_error" -> new ApiError(429, "insufficient_quota", "insufficient_quota", null, message,
                    Map.of());
            case "rate_limit_error" -> new ApiError(429, ApiError.RATE_LIMIT, error.type(), null, message, Map.of());
            case "api_error" -> ApiError.server(500, error.type(), message);
            case "timeout_error" -> ApiError.server(504, error.type(), message);
            // 529: OpenAI's clients know no 529; 503 is the standard "try again later" and they retry it.
            case "overloaded_error" -> ApiError.server(503, error.type(), message);
            default -> new ApiError(clientStatus(status), fallbackType(status), error.type(), null, message, Map.of());
        };
    }

    /** The inner error of an Anthropic error body, or {@code null} when the body is not one. */
    static AnthropicError read(byte[] body) {
        try {
            ErrorResponse response = Json.MAPPER.readValue(body, ErrorResponse.class);
            return response == null ? null : response.error();
        } catch (IOException e) {
            return null;
        }
    }

    private static int clientStatus(int status) {
        return status == 413 ? 400 : status == 529 ? 503 : status;
    }

    private static String fallbackType(int status) {
        return status >= 500 ? ApiError.SERVER_ERROR : ApiError.INVALID_REQUEST;
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
    }
}
