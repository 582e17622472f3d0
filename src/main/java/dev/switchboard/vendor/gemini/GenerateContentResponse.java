package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The parts of Gemini's {@code GenerateContentResponse} the gateway reads (generative_service.proto); also one SSE
 * chunk of a stream, which carries only the new parts. Fields Gemini leaves out when empty are {@code null} here.
 */
record GenerateContentResponse(
        List<Candidate> candidates,
        PromptFeedback promptFeedback,
        UsageMetadata usageMetadata,
        String modelVersion,
        String responseId) {

    List<Candidate> candidatesOrEmpty() {
        return candidates == null ? List.of() : candidates;
    }

    record Candidate(Content content, String finishReason, Integer index) {
        int indexOrZero() {
            return index == null ? 0 : index;
        }

        List<Part> partsOrEmpty() {
            return content == null || content.parts() == null ? List.of() : content.parts();
        }
    }

    record Content(String role, List<Part> parts) {}

    /** One of {@code text} or {@code functionCall} for what the gateway relays; other kinds are skipped. */
    record Part(String text, Boolean thought, FunctionCall functionCall, String thoughtSignature) {
        boolean isThought() {
            return Boolean.TRUE.equals(thought);
        }
    }

    record FunctionCall(String id, String name, JsonNode args) {}

    record PromptFeedback(String blockReason) {}

    /** Cumulative in a stream; any count may be missing when it is zero (WIRE-FORMATS.md §3.5). */
    record UsageMetadata(
            Integer promptTokenCount,
            Integer cachedContentTokenCount,
            Integer candidatesTokenCount,
            Integer toolUsePromptTokenCount,
            Integer thoughtsTokenCount,
            Integer totalTokenCount) {}
}
