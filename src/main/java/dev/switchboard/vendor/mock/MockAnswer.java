package dev.switchboard.vendor.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Per-request: what the mock says — the last user message, split into words — and OpenAI JSON for it. Token counts
 * are words (whitespace-separated), which is all a demo needs.
 */
record MockAnswer(String id, long created, String model, List<String> words, long promptTokens) {

    static MockAnswer of(ChatRequest clientRequest) {
        long prompt = 0;
        String lastUser = "";
        for (JsonNode message : clientRequest.body().path("messages")) {
            String text = text(message.get("content"));
            prompt += words(text).size();
            if ("user".equals(message.path("role").asText())) {
                lastUser = text;
            }
        }
        return new MockAnswer("chatcmpl-mock-" + UUID.randomUUID().toString().replace("-", ""),
                Instant.now().getEpochSecond(), clientRequest.model(), words(lastUser), prompt);
    }

    long completionTokens() {
        return words.size();
    }

    byte[] toCompletionJson() {
        ObjectNode completion = header("chat.completion");
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", String.join(" ", words));
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        usage(completion.putObject("usage"));
        try {
            return Json.MAPPER.writeValueAsBytes(completion);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The chunk carrying {@code delta}, or the finish chunk when {@code finishReason} is set. */
    String chunk(ObjectNode delta, String finishReason, boolean includeUsage) {
        ObjectNode chunk = header("chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk.toString();
    }

    /** The last chunk when {@code include_usage} was asked for: empty {@code choices} and the usage. */
    String usageChunk() {
        ObjectNode chunk = header("chat.completion.chunk");
        chunk.putArray("choices");
        usage(chunk.putObject("usage"));
        return chunk.toString();
    }

    private ObjectNode header(String object) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", id);
        node.put("object", object);
        node.put("created", created);
        node.put("model", model);
        return node;
    }

    private void usage(ObjectNode usage) {
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens());
        usage.put("total_tokens", promptTokens + completionTokens());
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder text = new StringBuilder();
        if (content instanceof ArrayNode parts) {
            for (JsonNode part : parts) {
                if ("text".equals(part.path("type").asText())) {
                    text.append(text.length() == 0 ? "" : " ").append(part.path("text").asText());
                }
            }
        }
        return text.toString();
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }
}
