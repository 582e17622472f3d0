package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI request → Gemini {@code generateContent} / {@code streamGenerateContent?alt=sse} request (WIRE-FORMATS.md
 * §3.1–3.2). Every field is either mapped, dropped because it cannot change the answer, or refused with a 400 that
 * names it: a silently ignored field would give the caller an answer it did not ask for.
 */
final class GeminiRequests {
    /** OpenAI-only fields that cannot change the answer (storage, billing, tracing, caching hints). */
    private static final Set<String> DROPPED = Set.of("model", "messages", "stream", "stream_options", "store",
            "metadata", "service_tier", "user", "safety_identifier", "prompt_cache_key", "prediction",
            "parallel_tool_calls");
    /** Thinking budgets in tokens; Gemini 2.5 Flash accepts 0–24576, 2.5 Pro 128–32768. */
    private static final Map<String, Integer> THINKING_BUDGETS = Map.of(
            "none", 0, "minimal", 512, "low", 1024, "medium", 8192, "high", 24576);

    private GeminiRequests() {}

    static UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) throws ApiException {
        ObjectNode clientBody = clientRequest.body();
        ObjectNode upstreamBody = Json.MAPPER.createObjectNode();
        GeminiContents.map(clientBody.get("messages"), upstreamBody);
        ObjectNode generationConfig = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> field : clientBody.properties()) {
            if (!field.getValue().isNull() && !DROPPED.contains(field.getKey())) {
                map(field.getKey(), field.getValue(), upstreamBody, generationConfig);
            }
        }
        if (!generationConfig.has("maxOutputTokens") && target.settings().defaultMaxTokens() != null) {
            generationConfig.put("maxOutputTokens", target.settings().defaultMaxTokens());
        }
        if (!generationConfig.isEmpty()) {
            upstreamBody.set("generationConfig", generationConfig);
        }
        String model = URLEncoder.encode(target.upstreamModel(), StandardCharsets.UTF_8).replace("+", "%20");
        // alt=sse: without it the stream is one JSON array, not SSE (WIRE-FORMATS.md §3.1).
        String method = clientRequest.stream() ? ":streamGenerateContent?alt=sse" : ":generateContent";
        // The key goes in a header, never the URL: URLs end up in access logs and proxy logs.
        Map<String, String> headers = Map.of(
                "x-goog-api-key", target.token(),
                "Accept", clientRequest.stream() ? "text/event-stream" : "application/json");
        try {
            return new UpstreamRequest(URI.create(target.baseUrl() + "/models/" + model + method), headers,
                    Json.MAPPER.writeValueAsBytes(upstreamBody));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void map(String field, JsonNode value, ObjectNode upstreamBody, ObjectNode config)
            throws ApiException {
        switch (field) {
            case "max_completion_tokens" -> config.set("maxOutputTokens", integer(field, value));
            case "max_tokens" -> {
                if (!config.has("maxOutputTokens")) {
                    config.set("maxOutputTokens", integer(field, value));
                }
            }
            case "temperature" -> config.set("temperature", number(field, value));
            case "top_p" -> config.set("topP", number(field, value));
            case "seed" -> config.set("seed", integer(field, value));
            case "n" -> config.set("candidateCount", integer(field, value));
            case "presence_penalty" -> config.set("presencePenalty", number(field, value));
            case "frequency_penalty" -> config.set("frequencyPenalty", number(field, value));
            case "stop" -> config.set("stopSequences", stop(value));
            case "logprobs" -> {
                if (!value.isBoolean()) {
                    throw unsupported(field, "'logprobs' must be a boolean.");
                }
                if (value.booleanValue()) {
                    config.put("responseLogprobs", true);
                }
            }
            case "top_logprobs" -> config.set("logprobs", integer(field, value));
            case "response_format" -> responseFormat(value, config);
            case "reasoning_effort" -> reasoning(value, config);
            case "tools" -> GeminiTools.tools(value, upstreamBody);
            case "tool_choice" -> GeminiTools.toolChoice(value, upstreamBody);
            case "modalities" -> {
                if (!(value.isArray() && value.size() == 1 && "text".equals(value.get(0).asText()))) {
                    throw unsupported(field, "Only text output is supported for Gemini.");
                }
            }
            default -> throw unsupported(field, "'" + field + "' is not supported for Gemini models.");
        }
    }

    private static JsonNode integer(String field, JsonNode value) throws ApiException {
        if (!value.isIntegralNumber()) {
            throw unsupported(field, "'" + field + "' must be an integer.");
        }
        return value;
    }

    private static JsonNode number(String field, JsonNode value) throws ApiException {
        if (!value.isNumber()) {
            throw unsupported(field, "'" + field + "' must be a number.");
        }
        return value;
    }

    private static ArrayNode stop(JsonNode value) throws ApiException {
        ArrayNode sequences = Json.MAPPER.createArrayNode();
        if (value.isTextual()) {
            sequences.add(value.textValue());
            return sequences;
        }
        if (value.isArray()) {
            for (JsonNode sequence : value) {
                if (!sequence.isTextual()) {
                    throw unsupported("stop", "'stop' must be a string or an array of strings.");
                }
                sequences.add(sequence);
            }
            return sequences;
        }
        throw unsupported("stop", "'stop' must be a string or an array of strings.");
    }

    private static void responseFormat(JsonNode value, ObjectNode config) throws ApiException {
        String type = value.path("type").asText();
        switch (type) {
            case "text" -> { }
            case "json_object" -> config.put("responseMimeType", "application/json");
            case "json_schema" -> {
                JsonNode schema = value.path("json_schema").get("schema");
                config.put("responseMimeType", "application/json");
                if (schema != null && !schema.isNull()) {
                    // responseJsonSchema takes JSON Schema; responseSchema only the OpenAPI subset (WIRE-FORMATS §3.2).
                    config.set("responseJsonSchema", GeminiSchemas.clean(schema));
                }
            }
            default -> throw unsupported("response_format.type",
                    "response_format type '" + type + "' is not supported for Gemini.");
        }
    }

    private static void reasoning(JsonNode value, ObjectNode config) throws ApiException {
        Integer budget = THINKING_BUDGETS.get(value.asText());
        if (!value.isTextual() || budget == null) {
            throw unsupported("reasoning_effort",
                    "reasoning_effort must be none, minimal, low, medium or high for Gemini models.");
        }
        ObjectNode thinking = config.putObject("thinkingConfig");
        thinking.put("thinkingBudget", budget);
        if (budget > 0) {
            // Thought summaries come back as reasoning_content.
            thinking.put("includeThoughts", true);
        }
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(ApiError.invalidRequest(400, "unsupported_parameter", param, message));
    }
}
