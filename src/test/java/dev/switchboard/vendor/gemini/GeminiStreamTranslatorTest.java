package dev.switchboard.vendor.gemini;

import static dev.switchboard.vendor.FixtureReplay.chunkings;
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
import dev.switchboard.sse.SseEvent;
import dev.switchboard.vendor.FixtureReplay.Recorder;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Recorded Gemini streams in, exact OpenAI chunk lists out ({@code *.expected.jsonl}, one event per line, compared as
 * JSON trees), replayed whole, byte by byte (inside multi-byte UTF-8 and inside JSON) and at random boundaries.
 */
class GeminiStreamTranslatorTest {
    private static final String FIXTURES = "/fixtures/gemini/";
    private static final long SEED = 0x6E_3141L;
    private static final int ROUNDS = 300;

    @ParameterizedTest(name = "{0} include_usage={2}")
    @CsvSource({
        "gemini-stream-text.sse, gemini-stream-text.expected.jsonl, false",
        "gemini-stream-text.sse, gemini-stream-text.usage.expected.jsonl, true",
        "gemini-stream-tools.sse, gemini-stream-tools.expected.jsonl, true",
        "gemini-stream-parallel-tools.sse, gemini-stream-parallel-tools.expected.jsonl, false",
        "gemini-stream-two-candidates.sse, gemini-stream-two-candidates.expected.jsonl, false",
        "gemini-stream-length.sse, gemini-stream-length.expected.jsonl, false",
        "gemini-stream-safety.sse, gemini-stream-safety.expected.jsonl, false",
    })
    void completeStreamBecomesTheExpectedChunksAtAnyChunking(String fixture, String expectedFile, boolean includeUsage)
            throws Exception {
        byte[] body = read(FIXTURES + fixture);
        List<JsonNode> expected = expected(expectedFile);
        ChatRequest clientRequest = GeminiTestSupport.request(true, includeUsage);

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = GeminiTestSupport.vendor().newStreamTranslator(clientRequest);
            Recorder out = replay(body, sizes, translator);

            List<String> events = out.takeAll();
            assertEquals(expected, trees(events), () -> "chunk sizes " + sizes);
            assertSdkRules(events, includeUsage);
            out.assertNothingLeft();
        }
    }

    @Test
    void errorEventIsRelayedInBandAndEndsTheStreamWithoutDone() throws Exception {
        byte[] body = read(FIXTURES + "gemini-stream-error.sse");
        List<JsonNode> expected = expected("gemini-stream-error.expected.jsonl");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = GeminiTestSupport.vendor()
                    .newStreamTranslator(GeminiTestSupport.request(true, false));
            Recorder out = feed(body, sizes, translator);

            assertEquals(expected, trees(out.takeAll()), () -> "chunk sizes " + sizes);
            translator.onEnd(out); // the error already ended the stream: no truncation, no [DONE]
            out.assertNothingLeft();
        }
    }

    @Test
    void eventsAfterAnErrorAreIgnored() throws Exception {
        byte[] error = read(FIXTURES + "gemini-stream-error.sse");
        byte[] more = read(FIXTURES + "gemini-stream-length.sse");
        byte[] body = Arrays.copyOf(error, error.length + more.length);
        System.arraycopy(more, 0, body, error.length, more.length);
        StreamTranslator translator = GeminiTestSupport.vendor().newStreamTranslator(GeminiTestSupport.request(true, false));

        Recorder out = replay(body, List.of(body.length), translator);

        assertEquals(3, out.takeAll().size());
        out.assertNothingLeft();
    }

    @Test
    void streamWithoutFinishReasonIsTruncated() throws Exception {
        byte[] full = read(FIXTURES + "gemini-stream-text.sse");
        String text = new String(full, StandardCharsets.UTF_8);
        byte[] body = text.substring(0, text.lastIndexOf("data: ")).getBytes(StandardCharsets.UTF_8);

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = GeminiTestSupport.vendor()
                    .newStreamTranslator(GeminiTestSupport.request(true, true));
            Recorder out = feed(body, sizes, translator);

            assertEquals(3, out.takeAll().size(), () -> "chunk sizes " + sizes);
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
            out.assertNothingLeft();
        }
    }

    @Test
    void bodyCutAnywhereBeforeTheLastFinishIsTruncated() throws Exception {
        byte[] full = read(FIXTURES + "gemini-stream-two-candidates.sse");
        // The last event carries candidate 0's finishReason; the decoder dispatches it only at its blank line.
        int lastEventEnd = full.length;
        for (int length = 0; length < lastEventEnd - 1; length++) {
            StreamTranslator translator = GeminiTestSupport.vendor()
                    .newStreamTranslator(GeminiTestSupport.request(true, false));
            Recorder out = feed(Arrays.copyOf(full, length), List.of(length), translator);

            assertFalse(out.takeAll().contains(SseEvent.DONE));
            int at = length;
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out),
                    () -> "cut at " + at);
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
        }
    }

    @Test
    void emptyBodyIsTruncated() throws Exception {
        StreamTranslator translator = GeminiTestSupport.vendor().newStreamTranslator(GeminiTestSupport.request(true, false));
        Recorder out = feed(new byte[0], List.of(0), translator);

        UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));

        assertEquals(UpstreamFormatException.TRUNCATED, e.code());
        out.assertNothingLeft();
    }

    @Test
    void eventThatIsNotJsonIsAnInvalidResponse() {
        byte[] body = "data: <html>oops</html>\n\n".getBytes(StandardCharsets.UTF_8);
        StreamTranslator translator = GeminiTestSupport.vendor().newStreamTranslator(GeminiTestSupport.request(true, false));

        UpstreamFormatException e = assertThrows(UpstreamFormatException.class,
                () -> feed(body, List.of(body.length), translator));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }

    @Test
    void blockedPromptIsAContentFilterFinish() throws Exception {
        byte[] body = ("data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":7,"
                + "\"totalTokenCount\":7},\"responseId\":\"gwBlock\"}\n\n").getBytes(StandardCharsets.UTF_8);
        StreamTranslator translator = GeminiTestSupport.vendor().newStreamTranslator(GeminiTestSupport.request(true, true));

        Recorder out = replay(body, List.of(body.length), translator);

        List<String> events = out.takeAll();
        assertSdkRules(events, true);
        assertEquals("content_filter", tree(events.get(1)).at("/choices/0/finish_reason").asText());
        assertEquals(7, tree(events.get(2)).at("/usage/prompt_tokens").asInt());
        assertEquals(4, events.size());
    }

    /** SDK-CLIENT-REQUIREMENTS.md §1.2–1.4, checked on any output that ends normally. */
    static void assertSdkRules(List<String> events, boolean includeUsage) {
        assertEquals(SseEvent.DONE, events.get(events.size() - 1), "[DONE] last");
        Set<Integer> withRole = new HashSet<>();
        Set<Integer> finished = new HashSet<>();
        Map<Integer, Set<Integer>> toolIndexes = new HashMap<>();
        String id = null;
        boolean usageSeen = false;
        for (String event : events.subList(0, events.size() - 1)) {
            assertFalse(event.contains("\n"), "one line per payload");
            JsonNode chunk = tree(event);
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            id = id == null ? chunk.path("id").asText() : id;
            assertEquals(id, chunk.path("id").asText(), "one id per stream");
            assertEquals(GeminiTestSupport.CREATED, chunk.path("created").asLong());
            assertEquals(GeminiTestSupport.MODEL, chunk.path("model").asText());
            assertFalse(usageSeen, "the usage chunk comes last");
            if (chunk.path("choices").isEmpty()) {
                assertTrue(includeUsage, "a usage chunk only with include_usage");
                assertTrue(chunk.path("usage").isObject());
                usageSeen = true;
                continue;
            }
            assertEquals(includeUsage, chunk.has("usage"), "usage: null on every chunk only with include_usage");
            if (includeUsage) {
                assertTrue(chunk.get("usage").isNull());
            }
            for (JsonNode choice : chunk.get("choices")) {
                int index = choice.get("index").asInt();
                assertFalse(finished.contains(index), "nothing after a choice's finish");
                JsonNode delta = choice.get("delta");
                if (delta.has("role")) {
                    assertTrue(withRole.add(index), "role once per choice");
                } else {
                    assertTrue(withRole.contains(index), "role first");
                }
                for (JsonNode toolCall : delta.path("tool_calls")) {
                    int toolIndex = toolCall.get("index").asInt();
                    Set<Integer> seen = toolIndexes.computeIfAbsent(index, i -> new HashSet<>());
                    assertTrue(seen.add(toolIndex), "id/type/name once per tool index");
                    assertEquals(seen.size() - 1, toolIndex, "tool indexes contiguous from 0");
                    assertTrue(toolCall.path("function").has("name") && toolCall.has("id"));
                    assertEquals("function", toolCall.path("type").asText());
                }
                if (!choice.get("finish_reason").isNull()) {
                    finished.add(index);
                    assertEquals(0, delta.size(), "finish chunk has an empty delta");
                }
            }
        }
        assertEquals(withRole, finished, "one finish per choice");
        for (int i = 0; i < finished.size(); i++) {
            assertTrue(finished.contains(i), "choice indexes 0…n-1");
        }
        assertEquals(includeUsage, usageSeen, "usage chunk iff include_usage");
    }

    private static List<JsonNode> expected(String file) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : new String(read(FIXTURES + file), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                events.add(SseEvent.DONE.equals(line) ? Json.MAPPER.getNodeFactory().textNode(line) : tree(line));
            }
        }
        return events;
    }

    private static List<JsonNode> trees(List<String> events) {
        return events.stream()
                .map(event -> SseEvent.DONE.equals(event) ? Json.MAPPER.getNodeFactory().textNode(event) : tree(event))
                .toList();
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void noTextPartNeverOpensAChoice() throws Exception {
        byte[] body = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"index\":0}]}\n\n"
                .getBytes(StandardCharsets.UTF_8);
        StreamTranslator translator = GeminiTestSupport.vendor().newStreamTranslator(GeminiTestSupport.request(true, false));
        Recorder out = feed(body, List.of(body.length), translator);
        out.assertNothingLeft();
        assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));
    }
}
