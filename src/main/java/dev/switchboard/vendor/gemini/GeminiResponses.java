package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.gemini.GenerateContentResponse.Candidate;
import dev.switchboard.vendor.gemini.GenerateContentResponse.Part;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/** Gemini {@code GenerateContentResponse} → OpenAI {@code chat.completion}. Thread-safe. */
final class GeminiResponses {
    private final Clock clock;
    private final Supplier<String> randomIds;

    GeminiResponses(Clock clock, Supplier<String> randomIds) {
        this.clock = clock;
        this.randomIds = randomIds;
    }

    byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException {
        GenerateContentResponse upstreamResponse = parse(upstreamBody);
        ObjectNode clientResponse = Json.MAPPER.createObjectNode();
        clientResponse.put("id", "chatcmpl-" + orRandom(upstreamResponse.responseId()));
        clientResponse.put("object", "chat.completion");
        clientResponse.put("created", clock.millis() / 1000);
        clientResponse.put("model", clientRequest.model());
        ArrayNode choices = clientResponse.putArray("choices");
        List<Candidate> candidates = new ArrayList<>(upstreamResponse.candidatesOrEmpty());
        candidates.sort(Comparator.comparingInt(Candidate::indexOrZero));
        for (Candidate candidate : candidates) {
            choices.add(choice(candidate));
        }
        if (candidates.isEmpty()) {
            // The prompt itself was blocked (promptFeedback.blockReason): an answer the filter removed, as OpenAI
            // reports it, rather than an error the caller's SDK would retry (WIRE-FORMATS.md §3.4, last row).
            ObjectNode choice = choices.addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.putNull("content");
            message.putNull("refusal");
            choice.putNull("logprobs");
            choice.put("finish_reason", "content_filter");
        }
        clientResponse.set("usage", GeminiOutput.usage(upstreamResponse.usageMetadata()));
        try {
            return Json.MAPPER.writeValueAsBytes(clientResponse);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode choice(Candidate candidate) {
        StringBuilder text = null;
        StringBuilder thoughts = null;
        ArrayNode toolCalls = Json.MAPPER.createArrayNode();
        for (Part part : candidate.partsOrEmpty()) {
            if (part.functionCall() != null) {
                toolCalls.add(GeminiOutput.toolCall(part.functionCall(), part.thoughtSignature(), randomIds));
            } else if (part.text() != null && part.isThought()) {
                thoughts = (thoughts == null ? new StringBuilder() : thoughts).append(part.text());
            } else if (part.text() != null) {
                text = (text == null ? new StringBuilder() : text).append(part.text());
            }
        }
        ObjectNode choice = Json.MAPPER.createObjectNode();
        choice.put("index", candidate.indexOrZero());
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text == null ? null : text.toString());
        message.putNull("refusal");
        if (thoughts != null) {
            message.put("reasoning_content", thoughts.toString());
        }
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", GeminiOutput.finishReason(candidate.finishReason(), !toolCalls.isEmpty()));
        return choice;
    }

    private String orRandom(String responseId) {
        return responseId == null || responseId.isEmpty() ? randomIds.get() : responseId;
    }

    private static GenerateContentResponse parse(byte[] upstreamBody) throws UpstreamFormatException {
        try {
            JsonNode root = Json.MAPPER.readTree(upstreamBody);
            if (root == null || !root.isObject() || root.has("error")) {
                throw invalid();
            }
            return Json.MAPPER.treeToValue(root, GenerateContentResponse.class);
        } catch (IOException e) {
            throw invalid();
        }
    }

    private static UpstreamFormatException invalid() {
        return new UpstreamFormatException(UpstreamFormatException.INVALID_RESPONSE,
                "The upstream answered with a body that is not a Gemini GenerateContentResponse.");
    }
}
