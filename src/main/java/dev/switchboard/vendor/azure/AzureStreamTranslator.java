package dev.switchboard.vendor.azure;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.switchboard.openai.Json;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.vendor.EventSink;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.openai.OpenAiStreamTranslator;
import java.io.IOException;

/**
 * Per-stream: drops Azure's content-filter events and relays every other event through the OpenAI pass-through,
 * byte for byte, with its {@code [DONE]} and truncation handling.
 *
 * <p>Dropped: events whose {@code object} is not {@code chat.completion.chunk} (the prompt-filter event that opens a
 * stream and the asynchronous-filter annotations, both with {@code object: ""} and empty {@code id}), and events
 * with no choices and no usage. OpenAI's Python stream helper drops the former for exactly this reason, and Node's
 * helper and strict clients break on them (WIRE-FORMATS.md §4, SDK-CLIENT-REQUIREMENTS.md §1.4). Kept: chunks,
 * the usage-only chunk ({@code choices: []} with {@code usage}), and in-band {@code {"error":…}} events.
 */
final class AzureStreamTranslator implements StreamTranslator {
    private static final String CHUNK_OBJECT = "chat.completion.chunk";

    private final OpenAiStreamTranslator relay = new OpenAiStreamTranslator();
    private boolean done;

    @Override
    public void onEvent(SseEvent upstreamEvent, EventSink out) throws UpstreamFormatException {
        if (done) {
            return;
        }
        done = upstreamEvent.isDone();
        String data = upstreamEvent.data();
        if (!done && !data.isEmpty() && !"ping".equals(upstreamEvent.event()) && isFilterEvent(data)) {
            return;
        }
        relay.onEvent(upstreamEvent, out);
    }

    @Override
    public void onEnd(EventSink out) throws UpstreamFormatException {
        relay.onEnd(out);
    }

    /**
     * Reads only the top-level keys that decide, skipping nested values without building a tree: Azure puts
     * {@code object} and {@code usage} after {@code choices} (its keys come sorted).
     */
    private static boolean isFilterEvent(String data) throws UpstreamFormatException {
        String object = null;
        boolean choicesEmpty = false;
        boolean usage = false;
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "error" -> {
                        return false;
                    }
                    case "object" -> object = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "usage" -> usage = value == JsonToken.START_OBJECT;
                    case "choices" -> choicesEmpty = value == JsonToken.START_ARRAY
                            && parser.nextToken() == JsonToken.END_ARRAY;
                    default -> { }
                }
                skipRest(parser, field, value);
            }
        } catch (IOException e) {
            throw notAnObject();
        }
        return !CHUNK_OBJECT.equals(object) || (choicesEmpty && !usage);
    }

    /** Moves past the current value; for {@code choices}, the parser may already stand on its first element. */
    private static void skipRest(JsonParser parser, String field, JsonToken value) throws IOException {
        if (!"choices".equals(field) || value != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        JsonToken element = parser.currentToken();
        while (element != JsonToken.END_ARRAY) {
            if (element == null) {
                throw new IOException("end of input inside choices");
            }
            parser.skipChildren();
            element = parser.nextToken();
        }
    }

    private static UpstreamFormatException notAnObject() {
        return new UpstreamFormatException(UpstreamFormatException.INVALID_RESPONSE,
                "The upstream sent a stream event that is not a JSON object.");
    }
}
