package dev.switchboard.vendor.azure;

import static dev.switchboard.vendor.FixtureReplay.chunkings;
import static dev.switchboard.vendor.FixtureReplay.dataPayloads;
import static dev.switchboard.vendor.FixtureReplay.feed;
import static dev.switchboard.vendor.FixtureReplay.read;
import static dev.switchboard.vendor.FixtureReplay.replay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.openai.OpenApiSchemas;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.vendor.FixtureReplay.Recorder;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Azure-style recorded streams in, the kept events out byte for byte ({@code *.expected.jsonl}, one payload a line),
 * at many chunk boundaries: whole, one byte at a time and random cuttings.
 */
class AzureStreamTranslatorTest {
    private static final String FIXTURES = "/fixtures/azure-openai/";
    private static final long SEED = 0xA2_5EEDL;
    private static final int ROUNDS = 300;

    private final AzureOpenAiVendor vendor = new AzureOpenAiVendor();
    private final ChatRequest clientRequest = new ChatRequest("fast", true, true,
            Json.MAPPER.createObjectNode().put("model", "fast").put("stream", true));

    @ParameterizedTest
    @ValueSource(strings = {"azure-stream-text", "azure-stream-tools", "azure-stream-async-filter"})
    void filterEventsAreDroppedAndTheRestRelayedByteForByteAtAnyChunking(String fixture) throws Exception {
        byte[] body = read(FIXTURES + fixture + ".sse");
        List<String> expected = expected(fixture);
        assertEquals(SseEvent.DONE, expected.get(expected.size() - 1), "fixture should end with [DONE]");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(clientRequest));

            assertEquals(expected, out.takeAll(), () -> "chunk sizes " + sizes);
            out.assertNothingLeft();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"azure-stream-text", "azure-stream-tools", "azure-stream-async-filter", "azure-stream-error"})
    void everyEmittedEventMatchesOpenAisSchemasAndDoneComesLast(String fixture) throws Exception {
        byte[] body = read(FIXTURES + fixture + ".sse");
        assertTrue(dataPayloads(body).stream().anyMatch(data -> data.contains("\"object\":\"\"")),
                "fixture should contain Azure filter events");

        Recorder out = feed(body, List.of(body.length), vendor.newStreamTranslator(clientRequest));

        List<String> events = out.takeAll();
        for (int i = 0; i < events.size(); i++) {
            String event = events.get(i);
            if (SseEvent.DONE.equals(event)) {
                assertEquals(events.size() - 1, i, "[DONE] must be the last event");
                continue;
            }
            if (event.startsWith("{\"error\"")) {
                OpenApiSchemas.assertValid("ErrorResponse", event);
                continue;
            }
            OpenApiSchemas.assertValid("CreateChatCompletionStreamResponse", event);
            JsonNode chunk = Json.MAPPER.readTree(event);
            // The Python stream helper drops anything else (SDK-CLIENT-REQUIREMENTS.md §1.4).
            assertEquals("chat.completion.chunk", chunk.get("object").textValue(), event);
            assertFalse(chunk.get("id").textValue().isEmpty(), event);
            assertTrue(chunk.get("choices").size() > 0 || chunk.get("usage").isObject(), event);
        }
    }

    @Test
    void usageChunkWithEmptyChoicesIsKept() throws Exception {
        byte[] body = read(FIXTURES + "azure-stream-text.sse");

        List<String> events = replay(body, List.of(body.length), vendor.newStreamTranslator(clientRequest)).takeAll();

        JsonNode usageChunk = Json.MAPPER.readTree(events.get(events.size() - 2));
        assertTrue(usageChunk.get("choices").isEmpty());
        assertEquals(17, usageChunk.at("/usage/total_tokens").intValue());
    }

    @Test
    void errorEventEndsTheStreamWithoutDoneAndIsNotATruncation() throws Exception {
        byte[] body = read(FIXTURES + "azure-stream-error.sse");
        List<String> expected = expected("azure-stream-error");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
            Recorder out = feed(body, sizes, translator);

            assertEquals(expected, out.takeAll(), () -> "chunk sizes " + sizes);
            translator.onEnd(out);
            out.assertNothingLeft();
        }
    }

    @Test
    void streamWithoutDoneIsTruncated() throws Exception {
        String full = new String(read(FIXTURES + "azure-stream-text.sse"), StandardCharsets.UTF_8);
        byte[] body = full.substring(0, full.indexOf("data: [DONE]")).getBytes(StandardCharsets.UTF_8);
        List<String> expected = expected("azure-stream-text");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
            Recorder out = feed(body, sizes, translator);

            assertEquals(expected.subList(0, expected.size() - 1), out.takeAll(), () -> "chunk sizes " + sizes);
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
            out.assertNothingLeft();
        }
    }

    @Test
    void bodyCutAnywhereBeforeTheEndOfDoneIsTruncated() throws Exception {
        byte[] full = read(FIXTURES + "azure-stream-tools.sse");
        List<String> complete = expected("azure-stream-tools");

        for (int length = 0; length < full.length; length++) {
            byte[] body = Arrays.copyOf(full, length);
            StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
            Recorder out = feed(body, List.of(length), translator);

            List<String> events = out.takeAll();
            assertEquals(complete.subList(0, events.size()), events, "cut at " + length);
            assertFalse(events.contains(SseEvent.DONE), "cut at " + length);
            int at = length;
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out),
                    () -> "cut at " + at);
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
        }
    }

    @Test
    void streamOfOnlyAPromptFilterEventIsTruncated() throws Exception {
        String full = new String(read(FIXTURES + "azure-stream-text.sse"), StandardCharsets.UTF_8);
        byte[] body = full.substring(0, full.indexOf("\n\n") + 2).getBytes(StandardCharsets.UTF_8);
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
        Recorder out = feed(body, List.of(body.length), translator);

        out.assertNothingLeft();
        assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Whitespace and key order of other serialisers; nested arrays and objects inside choices.
        "{ \"object\" : \"\", \"id\": \"\", \"choices\" : [ ], \"prompt_filter_results\": [{\"prompt_index\": 0}] }",
        "{\"choices\":[{\"index\":0,\"content_filter_results\":{\"a\":[1,[2]]}}],\"object\":\"\",\"id\":\"\"}",
        "{\"choices\":[],\"object\":\"chat.completion.chunk\",\"id\":\"x\",\"usage\":null}",
        "{\"choices\":[],\"object\":\"chat.completion.chunk\",\"id\":\"x\"}",
        "{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{}}]}",
    })
    void eventsStrictClientsWouldDropAreDropped(String data) throws Exception {
        Recorder out = new Recorder();

        vendor.newStreamTranslator(clientRequest).onEvent(new SseEvent(null, data, null), out);

        out.assertNothingLeft();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"[]\"}}],\"object\":\"chat.completion.chunk\",\"id\":\"x\"}",
        "{\"choices\":[],\"usage\":{\"total_tokens\":3},\"object\":\"chat.completion.chunk\",\"id\":\"x\"}",
        "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0},{\"index\":1}],\"id\":\"x\"}",
        "{ \"error\": {\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
    })
    void chunksAndErrorsAreRelayedAsTheyAre(String data) throws Exception {
        Recorder out = new Recorder();

        vendor.newStreamTranslator(clientRequest).onEvent(new SseEvent(null, data, null), out);

        assertEquals(data, out.take());
        out.assertNothingLeft();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "{\"choices\":[", "\"text\""})
    void eventThatIsNotAJsonObjectIsAnInvalidResponse(String data) {
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);

        UpstreamFormatException e = assertThrows(UpstreamFormatException.class,
                () -> translator.onEvent(new SseEvent(null, data, null), new Recorder()));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }

    @Test
    void nothingAfterDoneIsEmittedOrParsed() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
        Recorder out = new Recorder();

        translator.onEvent(new SseEvent(null, SseEvent.DONE, null), out);
        translator.onEvent(new SseEvent(null, "not json", null), out);
        translator.onEnd(out);

        assertEquals(SseEvent.DONE, out.take());
        out.assertNothingLeft();
    }

    @Test
    void pingAndEmptyEventsAreDroppedWithoutParsing() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
        Recorder out = new Recorder();

        translator.onEvent(new SseEvent("ping", "ping", null), out);
        translator.onEvent(new SseEvent(null, "", null), out);

        out.assertNothingLeft();
    }

    private static List<String> expected(String fixture) {
        String text = new String(read(FIXTURES + fixture + ".expected.jsonl"), StandardCharsets.UTF_8);
        return text.lines().toList();
    }
}
