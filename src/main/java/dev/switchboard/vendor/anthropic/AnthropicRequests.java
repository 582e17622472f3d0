package dev.switchboard.vendor.anthropic;

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
import java.util.Map;

/**
 * OpenAI request → {@code POST {baseUrl}/messages} (WIRE-FORMATS.md §2.1–2.2). A field Anthropic cannot honour and
 * whose loss would change the answer is a 400 naming it; OpenAI-only fields whose loss changes nothing are dropped.
 */
final class AnthropicRequests {
    /** The version the SDK sends by default and this package is tested against (anthropic-sdk-python _client.py). */
    static final String DEFAULT_API_VERSION = "2023-06-01";
    /** {@code max_tokens} is required by Anthropic; used when neither the caller nor the platform sets one. */
    static final int DEFAULT_MAX_TOKENS = 4096;

    private AnthropicRequests() {}

    static UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) throws ApiException {
        ObjectNode clientBody = clientRequest.body();
        rejectUnsupported(clientBody);

        ObjectNode upstreamBody = Json.MAPPER.createObjectNode();
        upstreamBody.put("model", target.upstreamModel());
        long maxTokens = maxTokens(clientBody, target.settings().defaultMaxTokens());
        upstreamBody.put("max_tokens", maxTokens);
        AnthropicMessages.Converted conversation = AnthropicMessages.convert(clientBody.get("messages"));
        if (conversation.system() != null) {
            upstreamBody.put("system", conversation.system());
        }
        upstreamBody.set("messages", conversation.messages());

        Integer budget = thinkingBudget(clientBody.get("reasoning_effort"));
        if (budget != null) {
            // budget_tokens must be below max_tokens; OpenAI's bound includes reasoning, Anthropic's does too, so the
            // caller's room for the answer is kept on top of the budget.
            if (maxTokens <= budget) {
                upstreamBody.put("max_tokens", maxTokens + budget);
            }
            upstreamBody.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        }
        JsonNode temperature = number(clientBody, "temperature");
        if (temperature != null) {
            // OpenAI allows 0–2, Anthropic 0–1.
            upstreamBody.put("temperature", Math.max(0.0, Math.min(1.0, temperature.doubleValue())));
        }
        JsonNode topP = number(clientBody, "top_p");
        if (topP != null) {
            upstreamBody.set("top_p", topP);
        }
        JsonNode topK = number(clientBody, "top_k");
        if (topK != null) {
            // Not OpenAI's, but callers of OpenAI-compatible gateways send it and Anthropic has it.
            upstreamBody.set("top_k", topK);
        }
        ArrayNode stop = stopSequences(clientBody.get("stop"));
        if (stop != null) {
            upstreamBody.set("stop_sequences", stop);
        }
        String user = firstText(clientBody, "user", "safety_identifier");
        if (user != null) {
            upstreamBody.putObject("metadata").put("user_id", user);
        }
        if (clientRequest.stream()) {
            upstreamBody.put("stream", true);
        }
        AnthropicTools.map(clientBody, upstreamBody);

        Map<String, String> headers = Map.of(
                "x-api-key", target.token(),
                "anthropic-version", target.settings().apiVersion() == null
                        ? DEFAULT_API_VERSION : target.settings().apiVersion(),
                "Accept", clientRequest.stream() ? "text/event-stream" : "application/json");
        try {
            return new UpstreamRequest(URI.create(target.baseUrl() + "/messages"), headers,
                    Json.MAPPER.writeValueAsBytes(upstreamBody));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fields with no Anthropic equivalent that change the answer when dropped (WIRE-FORMATS.md §2.2, last row).
     * {@code response_format}: Anthropic's structured output is not part of API version 2023-06-01 for every model,
     * and a silently ignored JSON mode hands the caller prose it will fail to parse.
     */
    private static void rejectUnsupported(ObjectNode clientBody) throws ApiException {
        JsonNode n = clientBody.get("n");
        if (n != null && n.isNumber() && n.longValue() > 1) {
            throw unsupported("n", "This model returns one choice per request; 'n' must be 1.");
        }
        JsonNode responseFormat = clientBody.get("response_format");
        if (present(responseFormat) && !"text".equals(responseFormat.path("type").asText())) {
            throw unsupported("response_format", "'response_format' of type '"
                    + responseFormat.path("type").asText() + "' is not supported for this model.");
        }
        if (present(clientBody.get("seed"))) {
            throw unsupported("seed", "'seed' is not supported for this model.");
        }
        if (clientBody.path("logprobs").asBoolean(false)) {
            throw unsupported("logprobs", "'logprobs' is not supported for this model.");
        }
        JsonNode topLogprobs = clientBody.get("top_logprobs");
        if (present(topLogprobs) && !(topLogprobs.isNumber() && topLogprobs.doubleValue() == 0)) {
            throw unsupported("top_logprobs", "'top_logprobs' is not supported for this model.");
        }
        for (String penalty : new String[] {"frequency_penalty", "presence_penalty"}) {
            JsonNode value = clientBody.get(penalty);
            if (present(value) && !(value.isNumber() && value.doubleValue() == 0)) {
                throw unsupported(penalty, "'" + penalty + "' is not supported for this model.");
            }
        }
        JsonNode logitBias = clientBody.get("logit_bias");
        if (present(logitBias) && !logitBias.isEmpty()) {
            throw unsupported("logit_bias", "'logit_bias' is not supported for this model.");
        }
        if (present(clientBody.get("audio"))) {
            throw unsupported("audio", "Audio output is not supported for this model.");
        }
        JsonNode modalities = clientBody.get("modalities");
        if (present(modalities)) {
            for (JsonNode modality : modalities) {
                if (!"text".equals(modality.asText())) {
                    throw unsupported("modalities", "Only the 'text' modality is supported for this model.");
                }
            }
        }
        if (present(clientBody.get("web_search_options"))) {
            throw unsupported("web_search_options", "'web_search_options' is not supported for this model.");
        }
        for (String deprecated : new String[] {"functions", "function_call"}) {
            if (present(clientBody.get(deprecated))) {
                throw unsupported(deprecated, "'" + deprecated + "' is deprecated and not supported here; use "
                        + "'tools' and 'tool_choice'.");
            }
        }
    }

    private static long maxTokens(ObjectNode clientBody, Integer platformDefault) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = clientBody.get(field);
            if (present(value)) {
                // ChatRequestParser checked both are integers in range.
                return value.longValue();
            }
        }
        return platformDefault != null ? platformDefault : DEFAULT_MAX_TOKENS;
    }

    /**
     * {@code reasoning_effort} → a thinking budget (Anthropic's minimum is 1024, docs.claude.com extended thinking);
     * {@code none} or absent: no thinking.
     */
    private static Integer thinkingBudget(JsonNode effort) throws ApiException {
        if (!present(effort)) {
            return null;
        }
        if (!effort.isTextual()) {
            throw invalidType("reasoning_effort", "a string");
        }
        return switch (effort.textValue()) {
            case "none" -> null;
            case "minimal", "low" -> 1024;
            case "medium" -> 4096;
            case "high" -> 16384;
            case "xhigh", "max" -> 32768;
            default -> throw invalid("reasoning_effort", "Unknown 'reasoning_effort' '" + effort.textValue()
                    + "'; use none, minimal, low, medium, high, xhigh or max.");
        };
    }

    private static ArrayNode stopSequences(JsonNode stop) throws ApiException {
        if (!present(stop)) {
            return null;
        }
        ArrayNode sequences = Json.MAPPER.createArrayNode();
        if (stop.isTextual()) {
            return sequences.add(stop.textValue());
        }
        if (!stop.isArray()) {
            throw invalidType("stop", "a string or an array of strings");
        }
        for (JsonNode sequence : stop) {
            if (!sequence.isTextual()) {
                throw invalidType("stop", "a string or an array of strings");
            }
            sequences.add(sequence.textValue());
        }
        return sequences.isEmpty() ? null : sequences;
    }

    private static JsonNode number(ObjectNode clientBody, String field) throws ApiException {
        JsonNode value = clientBody.get(field);
        if (!present(value)) {
            return null;
        }
        if (!value.isNumber()) {
            throw invalidType(field, "a number");
        }
        return value;
    }

    private static String firstText(ObjectNode clientBody, String... fields) {
        for (String field : fields) {
            JsonNode value = clientBody.get(field);
            if (value != null && value.isTextual() && !value.textValue().isEmpty()) {
                return value.textValue();
            }
        }
        return null;
    }

    static boolean present(JsonNode value) {
        return value != null && !value.isNull();
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(ApiError.invalidRequest(400, "unsupported_parameter", param, message));
    }

    static ApiException invalid(String param, String message) {
        return new ApiException(ApiError.invalidRequest(400, "invalid_value", param, message));
    }

    static ApiException invalidType(String param, String expected) {
        return new ApiException(ApiError.invalidRequest(400, "invalid_type", param,
                "'" + param + "' must be " + expected + "."));
    }
}
