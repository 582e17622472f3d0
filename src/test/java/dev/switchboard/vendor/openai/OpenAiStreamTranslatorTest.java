package dev.switchboard.vendor.openai;

import static dev.switchboard.vendor.FixtureReplay.chunkings;
import static dev.switchboard.vendor.FixtureReplay.dataPayloads;
import static dev.switchboard.vendor.FixtureReplay.feed;
import static dev.switchboard.vendor.FixtureReplay.read;
import static dev.switchboard.vendor.FixtureReplay.replay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
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
 * The OpenAI-compatible stream is relayed event by event without re-serialising, so every test replays an upstream
 * fixture at many chunk boundaries (whole, one byte at a time, random) and compares payloads byte for byte.
 */
class OpenAiStreamTranslatorTest {
    private static final String FIXTURES = "/fixtures/openai/";
    private static final long SEED = 0x5EED_0A1L;
    private static final int ROUNDS = 400;

    private final OpenAiVendor vendor = new OpenAiVendor();
    private final ChatRequest clientRequest = new ChatRequest("gpt-4o-mini", true, true,
            Json.MAPPER.createObjectNode().put("model", "gpt-4o-mini").put("stream", true));

    @ParameterizedTest
    @ValueSource(strings = {
        "openai-chat-stream-text.sse",
        "openai-chat-stream-tools.sse",
        "openai-chat-stream-python-formatting.sse",
        // DeepSeek's reasoner: reasoning_content deltas, extra usage fields and ': keep-alive' comments under load.
        "deepseek-reasoning-stream.sse",
    })
    void completeStreamIsRelayedByteForByteAtAnyChunking(String fixture) throws Exception {
        byte[] body = read(FIXTURES + fixture);
        List<String> expected = dataPayloads(body);
        assertEquals(SseEvent.DONE, expected.get(expected.size() - 1), "fixture should end with [DONE]");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(clientRequest));

            assertEquals(expected, out.takeAll(), () -> "chunk sizes " + sizes);
            out.assertNothingLeft();
        }
    }

    @Test
    void formattingAndEscapesOfTheUpstreamSurvive() throws Exception {
        // Re-serialising would drop the spaces, decode \u00e9 and rewrite 1.50E-5; the SDK would not care, but the
        // caller would no longer get what the upstream sent.
        byte[] body = read(FIXTURES + "openai-chat-stream-python-formatting.sse");

        Recorder out = replay(body, List.of(body.length), vendor.newStreamTranslator(clientRequest));

        List<String> events = out.takeAll();
        assertTrue(events.get(1).contains("\"content\": \"Caf\\u00e9 \""), events.get(1));
        assertTrue(events.get(2).contains("日本語 🎉 «ok»"), events.get(2));
        assertTrue(events.get(5).contains("\"cost\": 1.50E-5"), events.get(5));
    }

    @Test
    void errorEventEndsTheStreamWithoutDone() throws Exception {
        byte[] body = read(FIXTURES + "openai-chat-stream-error.sse");
        List<String> expected = dataPayloads(body);
        assertTrue(expected.get(expected.size() - 1).startsWith("{\"error\""), "fixture should end with an error");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
            Recorder out = feed(body, sizes, translator);

            assertEquals(expected, out.takeAll(), () -> "chunk sizes " + sizes);
            translator.onEnd(out);
            out.assertNothingLeft();
        }
    }

    @Test
    void errorEventWithWhitespaceAfterTheBraceIsStillAnErrorNotATruncation() throws Exception {
        byte[] body = "data: { \"error\": {\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
        Recorder out = feed(body, List.of(body.length), translator);
        assertEquals(1, out.takeAll().size());
        translator.onEnd(out);
        out.assertNothingLeft();
    }

    @Test
    void streamWithoutDoneIsTruncated() throws Exception {
        byte[] full = read(FIXTURES + "openai-chat-stream-text.sse");
        byte[] body = cutBefore(full, "data: [DONE]");
        List<String> expected = dataPayloads(body);

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
            Recorder out = feed(body, sizes, translator);

            assertEquals(expected, out.takeAll(), () -> "chunk sizes " + sizes);
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
            out.assertNothingLeft();
        }
    }

    @Test
    void bodyCutAnywhereBeforeTheEndOfDoneIsTruncated() throws Exception {
        byte[] full = read(FIXTURES + "openai-chat-stream-tools.sse");
        List<String> complete = dataPayloads(full);

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
    void emptyBodyIsTruncated() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
        Recorder out = feed(new byte[0], List.of(0), translator);

        UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));

        assertEquals(UpstreamFormatException.TRUNCATED, e.code());
        out.assertNothingLeft();
    }

    @Test
    void pingEventsAreDropped() throws Exception {
        byte[] body = read(FIXTURES + "openai-chat-stream-ping-events.sse");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(clientRequest));

            assertTrue(out.take().contains("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}"), "role chunk");
            assertTrue(out.take().contains("\"delta\":{\"content\":\"pong\"}"), "content chunk");
            assertTrue(out.take().contains("\"finish_reason\":\"stop\""), "finish chunk");
            assertEquals(SseEvent.DONE, out.take());
            out.assertNothingLeft();
        }
    }

    @Test
    void multiLineDataBecomesOneLineOfTheSameJson() throws Exception {
        byte[] body = read(FIXTURES + "openai-chat-stream-multiline-data.sse");
        List<String> upstream = dataPayloads(body);

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(clientRequest));

            for (int i = 0; i < 2; i++) {
                String event = out.take();
                assertFalse(event.contains("\n"), event);
                assertNotEquals(upstream.get(i), event);
                assertEquals(Json.MAPPER.readTree(upstream.get(i)), Json.MAPPER.readTree(event));
            }
            assertEquals(SseEvent.DONE, out.take());
            out.assertNothingLeft();
        }
    }

    @Test
    void multiLineDataKeepsEscapedNewlinesInStrings() throws Exception {
        byte[] body = read(FIXTURES + "openai-chat-stream-multiline-data.sse");

        Recorder out = replay(body, List.of(body.length), vendor.newStreamTranslator(clientRequest));

        JsonNode first = Json.MAPPER.readTree(out.take());
        assertEquals("two\nlines", first.at("/choices/0/delta/content").textValue());
        out.takeAll();
    }

    @Test
    void nothingAfterDoneIsEmitted() throws Exception {
        byte[] body = read(FIXTURES + "openai-chat-stream-after-done.sse");
        List<String> upstream = dataPayloads(body);

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(clientRequest));

            assertEquals(upstream.subList(0, 3), out.takeAll(), () -> "chunk sizes " + sizes);
            out.assertNothingLeft();
        }
    }

    @Test
    void emptyDataIsDropped() throws Exception {
        byte[] body = read(FIXTURES + "openai-chat-stream-empty-data.sse");
        List<String> nonEmpty = dataPayloads(body).stream().filter(data -> !data.isEmpty()).toList();
        assertEquals(3, nonEmpty.size());

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(clientRequest));

            assertEquals(nonEmpty, out.takeAll(), () -> "chunk sizes " + sizes);
            out.assertNothingLeft();
        }
    }

    @Test
    void onEndAfterDoneEmitsNothing() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(clientRequest);
        Recorder out = new Recorder();

        translator.onEvent(new SseEvent(null, SseEvent.DONE, null), out);
        assertEquals(SseEvent.DONE, out.take());
        translator.onEnd(out);

        out.assertNothingLeft();
    }

    @Test
    void eachStreamHasItsOwnTranslator() throws Exception {
        StreamTranslator finished = vendor.newStreamTranslator(clientRequest);
        finished.onEvent(new SseEvent(null, SseEvent.DONE, null), new Recorder());

        StreamTranslator fresh = vendor.newStreamTranslator(clientRequest);
        Recorder out = new Recorder();
        fresh.onEvent(new SseEvent(null, "{\"id\":\"x\"}", null), out);

        assertEquals("{\"id\":\"x\"}", out.take());
        assertThrows(UpstreamFormatException.class, () -> fresh.onEnd(out));
    }

    private static byte[] cutBefore(byte[] body, String marker) {
        String text = new String(body, StandardCharsets.UTF_8);
        int at = text.indexOf(marker);
        assertTrue(at > 0, "marker not found: " + marker);
        return text.substring(0, at).getBytes(StandardCharsets.UTF_8);
    }
}
