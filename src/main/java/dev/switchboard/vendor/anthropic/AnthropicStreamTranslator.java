package dev.switchboard.vendor.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.vendor.EventSink;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-stream: Anthropic Messages stream events → OpenAI {@code chat.completion.chunk} events, following the state
 * machine of WIRE-FORMATS.md §2.6 and the SDK rules of SDK-CLIENT-REQUIREMENTS.md §1.4: {@code role} only in the
 * first chunk, a tool call's {@code id}, {@code type} and {@code name} only in its first fragment, tool call indexes
 * counted from 0 over {@code tool_use} blocks only, one finish chunk, the usage chunk only when asked for.
 */
final class AnthropicStreamTranslator implements StreamTranslator {
    private final ChatRequest clientRequest;
    private final long created;

    /** {@code "chatcmpl-" + message id}; {@code null} until {@code message_start}. */
    private String id;
    private AnthropicUsage usage = AnthropicUsage.NONE;
    private String stopReason;
    /** Open and closed {@code tool_use} blocks by Anthropic content block index. */
    private final Map<Integer, ToolCall> toolCalls = new HashMap<>();
    /** {@code message_stop} or {@code error} seen: nothing more is emitted. */
    private boolean ended;

    /** One {@code tool_use} block: its OpenAI index and whether any argument text went out for it yet. */
    private static final class ToolCall {
        final int index;
        final JsonNode startInput;
        boolean argumentsSent;

        ToolCall(int index, JsonNode startInput) {
            this.index = index;
            this.startInput = startInput;
        }
    }

    AnthropicStreamTranslator(ChatRequest clientRequest, long created) {
        this.clientRequest = clientRequest;
        this.created = created;
    }

    @Override
    public void onEvent(SseEvent upstreamEvent, EventSink out) throws UpstreamFormatException {
        if (ended || "ping".equals(upstreamEvent.event()) || upstreamEvent.data().isBlank()) {
            return;
        }
        AnthropicStreamEvent event = parse(upstreamEvent.data());
        // Anthropic names every event and consumers dispatch on the name; the data's type is the same string, and
        // is the fallback for a proxy that strips event names.
        String type = upstreamEvent.event() != null ? upstreamEvent.event() : event.type();
        if (type == null) {
            return;
        }
        switch (type) {
            case "message_start" -> messageStart(event, out);
            case "content_block_start" -> blockStart(started(event), out);
            case "content_block_delta" -> blockDelta(started(event), out);
            case "content_block_stop" -> blockStop(started(event), out);
            case "message_delta" -> messageDelta(started(event));
            case "message_stop" -> messageStop(started(event), out);
            case "error" -> error(event, out);
            default -> {
                // ping, and event types added later: clients must skip names they do not know (docs:streaming).
            }
        }
    }

    @Override
    public void onEnd(EventSink out) throws UpstreamFormatException {
        if (!ended) {
            throw new UpstreamFormatException(UpstreamFormatException.TRUNCATED,
                    "The upstream stream ended before message_stop.");
        }
    }

    private void messageStart(AnthropicStreamEvent event, EventSink out) throws UpstreamFormatException {
        if (id != null) {
            return;
        }
        if (event.message() == null || event.message().id() == null) {
            throw invalid("a message_start without a message id");
        }
        id = "chatcmpl-" + event.message().id();
        usage = usage.overwrittenBy(event.message().usage());
        ObjectNode delta = Json.MAPPER.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        chunk(out, delta, null);
    }

    private void blockStart(AnthropicStreamEvent event, EventSink out) throws UpstreamFormatException {
        AnthropicMessage.Block block = event.contentBlock();
        if (block == null || event.index() == null) {
            throw invalid("a content_block_start without an index or a block");
        }
        if (!"tool_use".equals(block.type())) {
            // text and thinking blocks start empty; their deltas carry the text.
            return;
        }
        if (block.id() == null || block.name() == null) {
            throw invalid("a tool_use block without an id or a name");
        }
        ToolCall toolCall = new ToolCall(toolCalls.size(), block.input());
        if (toolCalls.putIfAbsent(event.index(), toolCall) != null) {
            throw invalid("two content blocks with index " + event.index());
        }
        ObjectNode fragment = toolCallFragment(toolCall.index);
        fragment.put("id", block.id());
        fragment.put("type", "function");
        fragment.putObject("function").put("name", block.name()).put("arguments", "");
        chunk(out, toolCallDelta(fragment), null);
    }

    private void blockDelta(AnthropicStreamEvent event, EventSink out) throws UpstreamFormatException {
        AnthropicStreamEvent.Delta delta = event.delta();
        if (delta == null || delta.type() == null) {
            throw invalid("a content_block_delta without a delta");
        }
        switch (delta.type()) {
            case "text_delta" -> {
                if (delta.text() != null && !delta.text().isEmpty()) {
                    chunk(out, Json.MAPPER.createObjectNode().put("content", delta.text()), null);
                }
            }
            case "thinking_delta" -> {
                if (delta.thinking() != null && !delta.thinking().isEmpty()) {
                    // Not in OpenAI's schema; the field DeepSeek and others use, which SDKs keep as an extra.
                    chunk(out, Json.MAPPER.createObjectNode().put("reasoning_content", delta.thinking()), null);
                }
            }
            case "input_json_delta" -> {
                ToolCall toolCall = toolCalls.get(event.index());
                if (toolCall == null) {
                    throw invalid("an input_json_delta for a block that is not a tool_use");
                }
                // The first fragment is often "" (docs:streaming); an empty arguments piece tells the client nothing.
                if (delta.partialJson() != null && !delta.partialJson().isEmpty()) {
                    toolCall.argumentsSent = true;
                    emitArguments(toolCall, delta.partialJson(), out);
                }
            }
            default -> {
                // signature_delta (kept by Anthropic clients for the next turn; OpenAI's format has no place for
                // it), citations_delta, and delta types added later.
            }
        }
    }

    private void blockStop(AnthropicStreamEvent event, EventSink out) {
        ToolCall toolCall = toolCalls.get(event.index());
        if (toolCall != null && !toolCall.argumentsSent) {
            // A tool without parameters may stream no argument text at all; "" is not JSON, and OpenAI clients
            // parse the arguments, so send what the non-streaming response would carry.
            toolCall.argumentsSent = true;
            emitArguments(toolCall, AnthropicResponses.arguments(toolCall.startInput), out);
        }
    }

    private void messageDelta(AnthropicStreamEvent event) {
        if (event.delta() != null && event.delta().stopReason() != null) {
            stopReason = event.delta().stopReason();
        }
        usage = usage.overwrittenBy(event.usage());
    }

    private void messageStop(AnthropicStreamEvent event, EventSink out) {
        ended = true;
        chunk(out, Json.MAPPER.createObjectNode(), AnthropicResponses.finishReason(stopReason));
        if (clientRequest.includeUsage()) {
            ObjectNode usageChunk = envelope();
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage.toOpenAi());
            out.data(write(usageChunk));
        }
        out.data(SseEvent.DONE);
    }

    /**
     * An in-stream {@code error} event (an overload looks like this once the 200 is sent) becomes OpenAI's in-band
     * error; the stream then ends without {@code [DONE]}, which OpenAI SDKs raise as {@code APIError}
     * (WIRE-FORMATS.md §1.8).
     */
    private void error(AnthropicStreamEvent event, EventSink out) {
        ended = true;
        AnthropicError error = event.error();
        String what = error == null ? "unknown_error" : error.type();
        String message = "The upstream failed while streaming (" + what + ")"
                + (error == null || error.message() == null ? "." : ": " + error.message());
        out.data(new String(ApiError.server(502, "upstream_error", message).toJson(), StandardCharsets.UTF_8));
    }

    private AnthropicStreamEvent started(AnthropicStreamEvent event) throws UpstreamFormatException {
        if (id == null) {
            throw invalid("a " + event.type() + " event before message_start");
        }
        return event;
    }

    private void emitArguments(ToolCall toolCall, String arguments, EventSink out) {
        ObjectNode fragment = toolCallFragment(toolCall.index);
        fragment.putObject("function").put("arguments", arguments);
        chunk(out, toolCallDelta(fragment), null);
    }

    private static ObjectNode toolCallFragment(int index) {
        return Json.MAPPER.createObjectNode().put("index", index);
    }

    private static ObjectNode toolCallDelta(ObjectNode fragment) {
        ObjectNode delta = Json.MAPPER.createObjectNode();
        delta.putArray("tool_calls").add(fragment);
        return delta;
    }

    private void chunk(EventSink out, ObjectNode delta, String finishReason) {
        ObjectNode chunk = envelope();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (clientRequest.includeUsage()) {
            chunk.putNull("usage");
        }
        out.data(write(chunk));
    }

    private ObjectNode envelope() {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", clientRequest.model());
        return chunk;
    }

    private static AnthropicStreamEvent parse(String data) throws UpstreamFormatException {
        try {
            AnthropicStreamEvent event = Json.MAPPER.readValue(data, AnthropicStreamEvent.class);
            if (event == null) {
                throw invalid("an event without data");
            }
            return event;
        } catch (IOException e) {
            throw invalid("an event that is not Anthropic's JSON");
        }
    }

    private static String write(ObjectNode chunk) {
        try {
            return Json.MAPPER.writeValueAsString(chunk);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static UpstreamFormatException invalid(String what) {
        return new UpstreamFormatException(UpstreamFormatException.INVALID_RESPONSE,
                "The upstream stream sent " + what + ".");
    }
}
