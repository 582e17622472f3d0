package dev.switchboard.vendor.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/** OpenAI request → OpenAI-compatible upstream request. */
final class OpenAiRequests {
    private OpenAiRequests() {}

    static UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) {
        byte[] bytes;
        if (target.upstreamModel().equals(clientRequest.model()) && clientRequest.raw() != null) {
            bytes = clientRequest.raw(); // nothing changes: the caller's bytes as they came (shared, never written to)
        } else {
            ObjectNode body = clientRequest.body();
            if (!target.upstreamModel().equals(clientRequest.model())) {
                // A copy, so a later attempt on another platform starts again from what the caller sent.
                body = body.deepCopy();
                body.put("model", target.upstreamModel());
            }
            try {
                bytes = Json.MAPPER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, String> headers = Map.of(
                "Authorization", "Bearer " + target.token(),
                "Accept", clientRequest.stream() ? "text/event-stream" : "application/json");
        return new UpstreamRequest(URI.create(target.baseUrl() + "/chat/completions"), headers, bytes);
    }
}
