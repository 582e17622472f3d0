package dev.switchboard.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated {@code POST /v1/chat/completions} body; per-request. Holds the parsed tree because OpenAI-compatible
 * upstreams must receive every field the caller sent (vendors rely on extras such as {@code top_k}), while the
 * gateway itself only needs the few fields named here.
 *
 * @param model        the public model name the caller asked for
 * @param stream       whether the caller asked for SSE
 * @param includeUsage {@code stream_options.include_usage}
 * @param body         the whole request; vendors copy or rewrite it, never share it across requests
 * @param raw          the exact bytes the caller sent, or {@code null}: an OpenAI-compatible upstream gets them as they
 *                     are when no field changes, which spares serialising the tree again on the hot path
 */
public record ChatRequest(String model, boolean stream, boolean includeUsage, ObjectNode body, byte[] raw) {
    /** A request built from a tree alone (tests, conversions): upstream bodies are serialised from {@code body}. */
    public ChatRequest(String model, boolean stream, boolean includeUsage, ObjectNode body) {
        this(model, stream, includeUsage, body, null);
    }
}
