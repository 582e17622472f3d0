package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.vendor.EventSink;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.gemini.GenerateContentResponse.Candidate;
import dev.switchboard.vendor.gemini.GenerateContentResponse.Part;
import dev.switchboard.vendor.gemini.GenerateContentResponse.UsageMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Per-stream: each Gemini SSE event is one {@code GenerateContentResponse} holding only the new parts; each becomes
 * zero or more OpenAI {@code chat.completion.chunk}s (WIRE-FORMATS.md §3.6). Gemini sends no terminator, so the
 * finish, usage and {@code [DONE]} tail is decided in {@link #onEnd}.
 */
final class GeminiStreamTranslator implements StreamTranslator {
    private static final int MAX_ERROR_MESSAGE = 2000;

    private final ChatRequest clientRequest;
    private final Supplier<String> randomIds;
    private final long created;
    /** Per {@code candidate.index}, in index order. */
    private final Map<Integer, Choice> choices = new TreeMap<>();
    private String id;
    private UsageMetadata lastUsage;
    private boolean errorSeen;

    /** What one choice has emitted so far; the SDK rules (role once, one finish) depend on it. */
    private static final class Choice {
        boolean started;
        int toolCalls;
        boolean finished;
    }

    GeminiStreamTranslator(ChatRequest clientRequest, Clock clock, Supplier<String> randomIds) {
        this.clientRequest = clientRequest;
        this.randomIds = randomIds;
        this.created = clock.millis() / 1000;
    }

    @Override
    public void onEvent(SseEvent upstreamEvent, EventSink out) throws UpstreamFormatException {
        if (errorSeen || upstreamEvent.data().isBlank()) {
            return;
        }
        JsonNode root = parse(upstreamEvent.data());
        JsonNode error = root.get("error");
        if (error != null) {
            // A failure after the 200 arrives as a Google error object in place of a response (WIRE-FORMATS.md
            // §3.7); OpenAI SDKs raise on a data payload with an "error" key, and no [DONE] may follow it.
            errorSeen = true;
            out.data(new String(ApiError.server(502, "upstream_error", errorMessage(error)).toJson(),
                    StandardCharsets.UTF_8));
            return;
        }
        GenerateContentResponse upstreamChunk;
        try {
            upstreamChunk = Json.MAPPER.treeToValue(root, GenerateContentResponse.class);
        } catch (IOException e) {
            throw invalid();
        }
        if (id == null) {
            String responseId = upstreamChunk.responseId();
            id = "chatcmpl-" + (responseId == null || responseId.isEmpty() ? randomIds.get() : responseId);
        }
        if (upstreamChunk.usageMetadata() != null) {
            lastUsage = upstreamChunk.usageMetadata();
        }
        for (Candidate candidate : upstreamChunk.candidatesOrEmpty()) {
            onCandidate(candidate, out);
        }
        if (upstreamChunk.candidatesOrEmpty().isEmpty() && upstreamChunk.promptFeedback() != null
                && upstreamChunk.promptFeedback().blockReason() != null) {
            Choice choice = choices.computeIfAbsent(0, index -> new Choice());
            if (!choice.finished) {
                start(0, choice, out);
                finish(0, choice, "content_filter", out);
            }
        }
    }

    private void onCandidate(Candidate candidate, EventSink out) {
        int index = candidate.indexOrZero();
        Choice choice = choices.computeIfAbsent(index, i -> new Choice());
        if (choice.finished) {
            return; // one finish per choice; nothing may follow it
        }
        for (Part part : candidate.partsOrEmpty()) {
            if (part.functionCall() != null) {
                start(index, choice, out);
                ObjectNode toolCall = GeminiOutput.toolCall(part.functionCall(), part.thoughtSignature(), randomIds);
                toolCall.put("index", choice.toolCalls++);
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.putArray("tool_calls").add(toolCall);
                out.data(chunk(index, delta, null));
            } else if (part.text() != null && !part.text().isEmpty()) {
                start(index, choice, out);
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.put(part.isThought() ? "reasoning_content" : "content", part.text());
                out.data(chunk(index, delta, null));
            }
        }
        if (candidate.finishReason() != null) {
            start(index, choice, out);
            finish(index, choice, GeminiOutput.finishReason(candidate.finishReason(), choice.toolCalls > 0), out);
        }
    }

    private void start(int index, Choice choice, EventSink out) {
        if (!choice.started) {
            choice.started = true;
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("role", "assistant");
            delta.put("content", "");
            out.data(chunk(index, delta, null));
        }
    }

    private void finish(int index, Choice choice, String finishReason, EventSink out) {
        choice.finished = true;
        out.data(chunk(index, Json.MAPPER.createObjectNode(), finishReason));
    }

    @Override
    public void onEnd(EventSink out) throws UpstreamFormatException {
        if (errorSeen) {
            return;
        }
        // Gemini's stream simply ends, so a cut connection looks like a finished one; only a choice without its
        // finishReason tells them apart (SDK-CLIENT-REQUIREMENTS.md §1.2).
        boolean complete = !choices.isEmpty();
        for (Choice choice : choices.values()) {
            complete &= choice.finished;
        }
        if (!complete) {
            throw new UpstreamFormatException(UpstreamFormatException.TRUNCATED,
                    "The upstream stream ended before it was complete.");
        }
        if (clientRequest.includeUsage()) {
            ObjectNode usageChunk = header();
            usageChunk.putArray("choices");
            usageChunk.set("usage", GeminiOutput.usage(lastUsage));
            out.data(usageChunk.toString());
        }
        out.data(SseEvent.DONE);
    }

    private String chunk(int index, ObjectNode delta, String finishReason) {
        ObjectNode chunk = header();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (clientRequest.includeUsage()) {
            chunk.putNull("usage");
        }
        return chunk.toString();
    }

    private ObjectNode header() {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", clientRequest.model());
        return chunk;
    }

    private static JsonNode parse(String data) throws UpstreamFormatException {
        try {
            JsonNode root = Json.MAPPER.readTree(data);
            if (root == null || !root.isObject()) {
                throw invalid();
            }
            return root;
        } catch (IOException e) {
            throw invalid();
        }
    }

    private static String errorMessage(JsonNode error) {
        JsonNode message = error.get("message");
        if (message == null || !message.isTextual() || message.textValue().isBlank()) {
            return "The upstream stream failed.";
        }
        String text = message.textValue();
        return text.length() <= MAX_ERROR_MESSAGE ? text : text.substring(0, MAX_ERROR_MESSAGE) + "…";
    }

    private static UpstreamFormatException invalid() {
        return new UpstreamFormatException(UpstreamFormatException.INVALID_RESPONSE,
                "The upstream sent a stream event that is not a Gemini GenerateContentResponse.");
    }
}
