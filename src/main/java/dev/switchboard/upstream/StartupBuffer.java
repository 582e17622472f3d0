package dev.switchboard.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-stream: holds a managed stream's first translated events until one carries content, so a stream that fails
 * before saying anything ("200, then an error event", a reset right after the role chunk) is still retryable
 * (RELIABILITY.md "The commit point"). Bounded: past {@code maxEvents} or {@code maxBytes} held, the stream commits
 * anyway. Not thread-safe; used on the exchange's I/O thread only.
 *
 * <p>Only the events before commit are parsed here, a handful per stream; after commit events pass untouched.
 */
final class StartupBuffer {

    /** What to do with an offered event. */
    enum Verdict {
        /** Keep holding; nothing goes to the client yet. */
        HOLD,
        /** Commit: send {@link #release()} (which includes this event) to the client. */
        RELEASE,
        /** An error event before any content: the attempt failed; the held events are dropped. */
        ERROR
    }

    private final int maxEvents;
    private final int maxBytes;
    private final List<String> held = new ArrayList<>();
    private int heldBytes;

    StartupBuffer(int maxEvents, int maxBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    Verdict offer(String json) {
        Verdict verdict = classify(json);
        if (verdict == Verdict.ERROR) {
            return verdict;
        }
        held.add(json);
        heldBytes += json.length();
        if (verdict == Verdict.HOLD && held.size() < maxEvents && heldBytes < maxBytes) {
            return Verdict.HOLD;
        }
        return Verdict.RELEASE;
    }

    /** The held events in order; the buffer is empty afterwards. */
    List<String> release() {
        List<String> out = List.copyOf(held);
        held.clear();
        heldBytes = 0;
        return out;
    }

    /**
     * Content is anything a client would act on: text, reasoning, a refusal, a tool call, a finish reason, usage, or
     * the end of the stream. A role-only first chunk (OpenAI sends {@code "content":""} with it) is not content.
     */
    static Verdict classify(String json) {
        if ("[DONE]".equals(json)) {
            return Verdict.RELEASE;
        }
        JsonNode chunk;
        try {
            chunk = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return Verdict.RELEASE; // not ours to judge; the client sees what the translator produced
        }
        if (chunk == null || !chunk.isObject()) {
            return Verdict.RELEASE;
        }
        if (chunk.has("error")) {
            return Verdict.ERROR;
        }
        if (present(chunk.get("usage"))) {
            return Verdict.RELEASE;
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (present(choice.get("finish_reason"))) {
                return Verdict.RELEASE;
            }
            JsonNode delta = choice.path("delta");
            for (String field : new String[] {"content", "reasoning_content", "reasoning", "refusal"}) {
                JsonNode value = delta.get(field);
                if (present(value) && !(value.isTextual() && value.asText().isEmpty())) {
                    return Verdict.RELEASE;
                }
            }
            if (present(delta.get("tool_calls")) || present(delta.get("function_call"))) {
                return Verdict.RELEASE;
            }
        }
        return Verdict.HOLD;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !(node.isContainerNode() && node.isEmpty());
    }
}
