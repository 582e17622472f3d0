package dev.switchboard.openai;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns a request body into a {@link ChatRequest} or a 400 that names the field at fault. Thread-safe.
 *
 * <p>Only what the gateway must rely on is checked here (types of the fields it reads, and bounds that protect the
 * gateway or stop absurd requests from costing an upstream call); everything else is the vendor's to judge.
 */
public final class ChatRequestParser {
    /** OpenAI's own bound for {@code n} (openapi.yaml, CreateChatCompletionRequest). */
    private static final int MAX_N = 128;
    /** No model offers anywhere near this many output tokens; larger values are typos or abuse. */
    private static final long MAX_OUTPUT_TOKENS = 10_000_000L;
    private static final int MAX_MODEL_NAME = 256;

    private final ObjectReader reader;

    public ChatRequestParser(int maxDepth, long maxBodyBytes) {
        this.reader = Json.strictRequestMapper(maxDepth, maxBodyBytes)
                .reader()
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public ChatRequest parse(byte[] body, int length) throws ApiException {
        JsonNode root = readTree(body, length);
        if (!(root instanceof ObjectNode object)) {
            throw invalid("invalid_type", null, "The request body must be a JSON object.");
        }
        String model = requiredString(object, "model");
        if (model.isBlank() || model.length() > MAX_MODEL_NAME) {
            throw invalid("invalid_value", "model", "'model' must be a non-empty string of at most "
                    + MAX_MODEL_NAME + " characters.");
        }
        checkMessages(object);
        boolean stream = optionalBoolean(object, "stream", "stream");
        boolean includeUsage = false;
        JsonNode streamOptions = object.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!streamOptions.isObject()) {
                throw invalidType("stream_options", "an object");
            }
            includeUsage = optionalBoolean((ObjectNode) streamOptions, "include_usage", "stream_options.include_usage");
        }
        checkIntRange(object, "n", 1, MAX_N);
        checkIntRange(object, "max_tokens", 1, MAX_OUTPUT_TOKENS);
        checkIntRange(object, "max_completion_tokens", 1, MAX_OUTPUT_TOKENS);
        // The raw bytes went through the strict reader above (UTF-8, no duplicate keys, nothing after the object),
        // so forwarding them is forwarding exactly what was validated.
        byte[] raw = length == body.length ? body : Arrays.copyOf(body, length);
        return new ChatRequest(model, stream, stream && includeUsage, object, raw);
    }

    private JsonNode readTree(byte[] body, int length) throws ApiException {
        if (length == 0) {
            throw invalid("invalid_json", null, "The request body is empty; send a JSON object.");
        }
        if (notUtf8(body, length)) {
            // Jackson would detect UTF-16/32 by itself; RFC 8259 §8.1 says JSON exchanged between systems is UTF-8.
            throw invalid("invalid_json", null, "The request body must be UTF-8 encoded JSON.");
        }
        JsonNode root;
        try {
            root = reader.readTree(body, 0, length);
        } catch (StreamConstraintsException e) {
            throw invalid("json_limits_exceeded", null,
                    "The request body exceeds a JSON limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            // getOriginalMessage() leaves out Jackson's source snippet, which could echo caller content.
            String what = e.getOriginalMessage();
            String code = what != null && what.startsWith("Duplicate field") ? "duplicate_key" : "invalid_json";
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw invalid(code, null, "The request body is not valid JSON" + where + ": " + firstLine(what));
        } catch (IOException e) {
            throw invalid("invalid_json", null, "The request body could not be read as JSON.");
        }
        if (root.isMissingNode()) {
            // Jackson reads whitespace alone as "no content" rather than failing; RFC 8259 §2 requires a value.
            throw invalid("invalid_json", null, "The request body is empty; send a JSON object.");
        }
        return root;
    }

    private static void checkMessages(ObjectNode object) throws ApiException {
        JsonNode messages = object.get("messages");
        if (messages == null || messages.isNull()) {
            throw missing("messages");
        }
        if (!messages.isArray()) {
            throw invalidType("messages", "an array");
        }
        if (messages.isEmpty()) {
            throw invalid("invalid_value", "messages", "'messages' must contain at least one message.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String param = "messages[" + i + "]";
            if (!message.isObject()) {
                throw invalidType(param, "an object");
            }
            JsonNode role = message.get("role");
            if (role == null || role.isNull()) {
                throw missing(param + ".role");
            }
            if (!role.isTextual()) {
                throw invalidType(param + ".role", "a string");
            }
        }
    }

    private static String requiredString(ObjectNode object, String field) throws ApiException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw missing(field);
        }
        if (!value.isTextual()) {
            throw invalidType(field, "a string");
        }
        return value.textValue();
    }

    private static boolean optionalBoolean(ObjectNode object, String field, String param) throws ApiException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw invalidType(param, "a boolean");
        }
        return value.booleanValue();
    }

    private static void checkIntRange(ObjectNode object, String field, long min, long max) throws ApiException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isIntegralNumber()) {
            throw invalidType(field, "an integer");
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw invalid("invalid_value", field, "'" + field + "' must be between " + min + " and " + max + ".");
        }
    }

    /** Jackson's first line, without the "[Source: ...]" location note some messages carry inline. */
    private static String firstLine(String text) {
        if (text == null) {
            return "syntax error";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        int source = line.indexOf(" [Source:");
        return source < 0 ? line : line.substring(0, source);
    }

    /** A UTF-16/32 byte order mark, or a NUL among the first bytes, which UTF-8 JSON text never starts with. */
    private static boolean notUtf8(byte[] body, int length) {
        if (length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
                || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))) {
            return true;
        }
        for (int i = 0; i < Math.min(4, length); i++) {
            if (body[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static ApiException missing(String param) {
        return invalid("missing_required_parameter", param, "Missing required parameter: '" + param + "'.");
    }

    private static ApiException invalidType(String param, String expected) {
        return invalid("invalid_type", param, "'" + param + "' must be " + expected + ".");
    }

    private static ApiException invalid(String code, String param, String message) {
        return new ApiException(ApiError.invalidRequest(400, code, param, message));
    }
}
