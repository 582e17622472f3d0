package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.gemini.GenerateContentResponse.FunctionCall;
import dev.switchboard.vendor.gemini.GenerateContentResponse.UsageMetadata;
import java.security.SecureRandom;
import java.util.Set;
import java.util.function.Supplier;

/** What {@link GeminiResponses} and {@link GeminiStreamTranslator} share: finish reasons, usage and tool-call ids. */
final class GeminiOutput {
    /**
     * Joins a tool-call id and the {@code thoughtSignature} Gemini sent with the call. The signature must go back
     * unchanged with the call on the next turn or function calling breaks (WIRE-FORMATS.md §3.2, content.proto
     * {@code Part.thought_signature}); the gateway is stateless, so the caller carries it inside the id it echoes.
     */
    static final String SIGNATURE_SEPARATOR = "__thought__";

    /** WIRE-FORMATS.md §3.4: every blocked-content reason is a content filter to an OpenAI client. */
    private static final Set<String> FILTERED = Set.of("SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST",
            "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    /** Random ids in the shape OpenAI uses; thread-safe. */
    static final Supplier<String> RANDOM_IDS = () -> {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(id);
    };

    private GeminiOutput() {}

    /**
     * Gemini's {@code finishReason} → OpenAI's. {@code STOP} after a function call is {@code tool_calls}, because
     * Gemini has no value of its own for it. {@code MALFORMED_FUNCTION_CALL}, {@code UNEXPECTED_TOOL_CALL} and
     * {@code TOO_MANY_TOOL_CALLS} become {@code stop}: OpenAI has no equivalent and the table in WIRE-FORMATS.md
     * §3.4 names {@code stop}; the call itself never reaches the caller, so {@code tool_calls} would be a lie.
     */
    static String finishReason(String geminiReason, boolean hadFunctionCalls) {
        if ("MAX_TOKENS".equals(geminiReason)) {
            return "length";
        }
        if (geminiReason != null && FILTERED.contains(geminiReason)) {
            return "content_filter";
        }
        if (hadFunctionCalls && (geminiReason == null || "STOP".equals(geminiReason))) {
            return "tool_calls";
        }
        return "stop";
    }

    /** OpenAI {@code usage} from Gemini's {@code usageMetadata}; counts Gemini left out are 0. */
    static ObjectNode usage(UsageMetadata metadata) {
        UsageMetadata m = metadata == null ? new UsageMetadata(null, null, null, null, null, null) : metadata;
        int prompt = count(m.promptTokenCount()) + count(m.toolUsePromptTokenCount());
        int thoughts = count(m.thoughtsTokenCount());
        int completion = count(m.candidatesTokenCount()) + thoughts;
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", m.totalTokenCount() == null ? prompt + completion : m.totalTokenCount());
        usage.putObject("prompt_tokens_details").put("cached_tokens", count(m.cachedContentTokenCount()));
        usage.putObject("completion_tokens_details").put("reasoning_tokens", thoughts);
        return usage;
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }

    /**
     * The OpenAI tool call for one {@code functionCall} part: {@code id, type, function{name, arguments}} with the
     * whole {@code args} object as compact JSON text (Gemini never splits a call).
     */
    static ObjectNode toolCall(FunctionCall call, String thoughtSignature, Supplier<String> randomIds) {
        String id = call.id() == null || call.id().isEmpty() ? "call_" + randomIds.get() : call.id();
        if (thoughtSignature != null && !thoughtSignature.isEmpty()) {
            id = id + SIGNATURE_SEPARATOR + thoughtSignature;
        }
        ObjectNode toolCall = Json.MAPPER.createObjectNode();
        toolCall.put("id", id);
        toolCall.put("type", "function");
        ObjectNode function = toolCall.putObject("function");
        function.put("name", call.name());
        function.put("arguments", arguments(call.args()));
        return toolCall;
    }

    private static String arguments(JsonNode args) {
        if (args == null || args.isNull() || args.isMissingNode()) {
            return "{}";
        }
        return args.toString();
    }
}
