package dev.switchboard.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * An error the gateway reports to its caller in OpenAI's shape,
 * {@code {"error":{"message","type","param","code"}}} (SDK-CLIENT-REQUIREMENTS.md §1.6).
 *
 * @param status  HTTP status
 * @param type    OpenAI error type, e.g. {@code invalid_request_error}
 * @param code    machine-readable code, e.g. {@code model_not_found}
 * @param param   the request field at fault, or {@code null}
 * @param message for people; never a secret, a stack trace or an upstream address
 * @param headers extra response headers such as {@code Retry-After}
 */
public record ApiError(int status, String type, String code, String param, String message, Map<String, String> headers) {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String AUTHENTICATION = "authentication_error";
    public static final String SERVER_ERROR = "server_error";
    public static final String RATE_LIMIT = "rate_limit_error";

    public ApiError {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static ApiError invalidRequest(int status, String code, String param, String message) {
        return new ApiError(status, INVALID_REQUEST, code, param, message, Map.of());
    }

    public static ApiError server(int status, String code, String message) {
        return new ApiError(status, SERVER_ERROR, code, null, message, Map.of());
    }

    /** One body for every credential failure, so a caller cannot tell which check failed. */
    public static ApiError invalidApiKey() {
        return new ApiError(401, AUTHENTICATION, "invalid_api_key", null,
                "Invalid or missing credentials. Send 'Authorization: Bearer <key>'.", Map.of());
    }

    /** One body for unknown models and models the caller may not use, so models cannot be enumerated. */
    public static ApiError modelNotFound(String model) {
        return invalidRequest(404, "model_not_found", "model",
                "The model '" + model + "' does not exist or you do not have access to it.");
    }

    public ApiError withHeader(String name, String value) {
        var merged = new java.util.LinkedHashMap<>(headers);
        merged.put(name, value);
        return new ApiError(status, type, code, param, message, merged);
    }

    /** The JSON body; a stream's in-band error uses the same object after {@code data: }. */
    public byte[] toJson() {
        var bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(bytes)) {
            json.writeStartObject();
            json.writeObjectFieldStart("error");
            json.writeStringField("message", message);
            json.writeStringField("type", type);
            json.writeStringField("param", param);
            json.writeStringField("code", code);
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
