package dev.switchboard.vendor.anthropic;

import static dev.switchboard.vendor.FixtureReplay.chunkings;
import static dev.switchboard.vendor.FixtureReplay.feed;
import static dev.switchboard.vendor.FixtureReplay.read;
import static dev.switchboard.vendor.FixtureReplay.replay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recorded-style Anthropic streams in, the exact OpenAI events out ({@code *.expected.jsonl}, compared as JSON
 * trees), at many chunk boundaries: whole, one byte at a time (so inside every multi-byte character and every
 * tool-argument fragment), every two-piece cut, and random cuttings.
 */
class AnthropicStreamTranslatorTest {
    private static final String FIXTURES = "/fixtures/anthropic/";
    private static final long SEED = 0xA17_5EEDL;
    private static final int ROUNDS = 300;
    private static final Instant CREATED = Instant.ofEpochSecond(1767225600L);

    private final AnthropicVendor vendor = new AnthropicVendor(Clock.fixed(CREATED, ZoneOffset.UTC));

    @ParameterizedTest
    @CsvSource({
        "anthropic-stream-text.sse, anthropic-stream-text.expected.jsonl, false",
        "anthropic-stream-text.sse, anthropic-stream-text.include-usage.expected.jsonl, true",
        "anthropic-messages-stream.sse, anthropic-messages-stream.expected.jsonl, false",
        "anthropic-messages-stream.sse, anthropic-messages-stream.include-usage.expected.jsonl, true",
        "anthropic-stream-parallel-tools.sse, anthropic-stream-parallel-tools.expected.jsonl, false",
        "anthropic-stream-zero-arg-tool.sse, anthropic-stream-zero-arg-tool.expected.jsonl, false",
        "anthropic-stream-length.sse, anthropic-stream-length.expected.jsonl, false",
    })
    void streamBecomesTheExpectedOpenAiEventsAtAnyChunking(String fixture, String expectedFile, boolean includeUsage)
            throws Exception {
        byte[] body = read(FIXTURES + fixture);
        List<JsonNode> expected = expected(expectedFile);

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            Recorder out = replay(body, sizes, vendor.newStreamTranslator(request(includeUsage)));

            List<String> events = out.takeAll();
            assertEquals(expected, trees(events), () -> "chunk sizes " + sizes);
            assertSdkRules(events, includeUsage);
            out.assertNothingLeft();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "anthropic-stream-text.sse, true",
        "anthropic-messages-stream.sse, true",
        "anthropic-stream-parallel-tools.sse, false",
        "anthropic-stream-zero-arg-tool.sse, false",
        "anthropic-messages-stream-error.sse, false",
    })
    void everyEventMatchesOpenAisSchemas(String fixture, boolean includeUsage) throws Exception {
        byte[] body = read(FIXTURES + fixture);

        Recorder out = feed(body, List.of(body.length), vendor.newStreamTranslator(request(includeUsage)));

        for (String event : out.takeAll()) {
            if (!SseEvent.DONE.equals(event)) {
                OpenApiSchemas.assertValid(event.startsWith("{\"error\"") ? "ErrorResponse"
                        : "CreateChatCompletionStreamResponse", event);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic-stream-text.sse", "anthropic-stream-parallel-tools.sse"})
    void everyTwoPieceCutGivesTheSameEvents(String fixture) throws Exception {
        byte[] body = read(FIXTURES + fixture);
        List<JsonNode> expected = expected(fixture.replace(".sse", ".expected.jsonl"));

        for (int cut = 0; cut <= body.length; cut++) {
            Recorder out = replay(body, List.of(cut, body.length - cut), vendor.newStreamTranslator(request(false)));

            int at = cut;
            assertEquals(expected, trees(out.takeAll()), () -> "cut at " + at);
        }
    }

    @Test
    void streamWithoutEventNamesIsReadByTheDataType() throws Exception {
        // A proxy that drops the event: lines must not change the translation.
        String named = new String(read(FIXTURES + "anthropic-messages-stream.sse"), StandardCharsets.UTF_8);
        byte[] body = named.replaceAll("(?m)^event: .*\n", "").getBytes(StandardCharsets.UTF_8);

        Recorder out = replay(body, List.of(body.length), vendor.newStreamTranslator(request(false)));

        assertEquals(expected("anthropic-messages-stream.expected.jsonl"), trees(out.takeAll()));
    }

    @Test
    void errorEventMidStreamBecomesTheInBandErrorWithoutDone() throws Exception {
        byte[] body = read(FIXTURES + "anthropic-messages-stream-error.sse");
        List<JsonNode> expected = expected("anthropic-messages-stream-error.expected.jsonl");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = vendor.newStreamTranslator(request(true));
            Recorder out = feed(body, sizes, translator);

            List<JsonNode> events = trees(out.takeAll());
            assertEquals(withUsageNull(expected), events, () -> "chunk sizes " + sizes);
            translator.onEnd(out);
            out.assertNothingLeft();
        }
    }

    @Test
    void nothingIsEmittedAfterAnErrorEvent() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(request(false));
        Recorder out = new Recorder();
        translator.onEvent(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}"), out);
        translator.onEvent(event("error", "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}"),
                out);
        translator.onEvent(event("message_stop", "{\"type\":\"message_stop\"}"), out);
        translator.onEnd(out);

        List<String> events = out.takeAll();
        assertEquals(2, events.size(), events::toString);
        JsonNode error = Json.MAPPER.readTree(events.get(1)).get("error");
        assertEquals("server_error", error.get("type").textValue());
        assertEquals("upstream_error", error.get("code").textValue());
        assertTrue(error.get("message").textValue().contains("boom"));
        assertTrue(error.get("param").isNull());
    }

    @Test
    void streamEndingBeforeMessageStopIsTruncated() throws Exception {
        byte[] full = read(FIXTURES + "anthropic-stream-text.sse");
        String text = new String(full, StandardCharsets.UTF_8);
        byte[] body = text.substring(0, text.indexOf("event: message_stop")).getBytes(StandardCharsets.UTF_8);
        List<JsonNode> complete = expected("anthropic-stream-text.expected.jsonl");

        for (List<Integer> sizes : chunkings(body.length, SEED, ROUNDS)) {
            StreamTranslator translator = vendor.newStreamTranslator(request(false));
            Recorder out = feed(body, sizes, translator);

            assertEquals(complete.subList(0, 4), trees(out.takeAll()), () -> "chunk sizes " + sizes);
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out));
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
            out.assertNothingLeft();
        }
    }

    @Test
    void bodyCutAnywhereBeforeMessageStopIsTruncatedAndNeverDone() throws Exception {
        byte[] full = read(FIXTURES + "anthropic-stream-parallel-tools.sse");
        int end = new String(full, StandardCharsets.UTF_8).indexOf("event: message_stop");

        for (int length = 0; length < end; length++) {
            StreamTranslator translator = vendor.newStreamTranslator(request(true));
            Recorder out = feed(Arrays.copyOf(full, length), List.of(length), translator);

            assertFalse(out.takeAll().contains(SseEvent.DONE), "cut at " + length);
            int at = length;
            UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEnd(out),
                    () -> "cut at " + at);
            assertEquals(UpstreamFormatException.TRUNCATED, e.code());
        }
    }

    @Test
    void pingAndUnknownEventsEmitNothing() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(request(true));
        Recorder out = new Recorder();

        translator.onEvent(event("ping", "{\"type\":\"ping\"}"), out);
        translator.onEvent(event(null, "{\"type\":\"ping\"}"), out);
        translator.onEvent(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}"), out);
        out.take();
        translator.onEvent(event("ping", "{\"type\":\"ping\"}"), out);
        translator.onEvent(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"), out);
        translator.onEvent(event("some_future_event", "{\"type\":\"some_future_event\",\"x\":1}"), out);
        translator.onEvent(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}"), out);
        translator.onEvent(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"), out);

        out.assertNothingLeft();
    }

    @Test
    void contentBeforeMessageStartIsNotAnthropicsFormat() {
        StreamTranslator translator = vendor.newStreamTranslator(request(false));

        UpstreamFormatException e = assertThrows(UpstreamFormatException.class, () -> translator.onEvent(
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}"), new Recorder()));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }

    @Test
    void dataThatIsNotJsonIsNotAnthropicsFormat() {
        StreamTranslator translator = vendor.newStreamTranslator(request(false));

        UpstreamFormatException e = assertThrows(UpstreamFormatException.class,
                () -> translator.onEvent(event("message_start", "<html>"), new Recorder()));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }

    @Test
    void cumulativeMessageDeltaUsageOverwritesInputCounts() throws Exception {
        StreamTranslator translator = vendor.newStreamTranslator(request(true));
        Recorder out = new Recorder();
        translator.onEvent(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1,\"cache_read_input_tokens\":5}}}"),
                out);
        translator.onEvent(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\"},"
                + "\"usage\":{\"input_tokens\":12,\"output_tokens\":7}}"), out);
        translator.onEvent(event("message_stop", "{\"type\":\"message_stop\"}"), out);

        out.take();
        assertEquals("content_filter",
                Json.MAPPER.readTree(out.take()).at("/choices/0/finish_reason").textValue());
        JsonNode usage = Json.MAPPER.readTree(out.take()).get("usage");
        assertEquals(17, usage.get("prompt_tokens").intValue());
        assertEquals(7, usage.get("completion_tokens").intValue());
        assertEquals(24, usage.get("total_tokens").intValue());
        assertEquals(5, usage.at("/prompt_tokens_details/cached_tokens").intValue());
        assertEquals(SseEvent.DONE, out.take());
        out.assertNothingLeft();
    }

    /** SDK-CLIENT-REQUIREMENTS.md §1.2–1.4, checked on the events themselves. */
    private static void assertSdkRules(List<String> events, boolean includeUsage) throws IOException {
        assertEquals(SseEvent.DONE, events.get(events.size() - 1), "[DONE] last");
        int finishChunks = 0;
        int usageChunks = 0;
        Map<Integer, Integer> fragments = new HashMap<>();
        String id = null;
        for (int e = 0; e < events.size() - 1; e++) {
            String json = events.get(e);
            assertFalse(json.contains("\n"), "one line per event");
            JsonNode chunk = Json.MAPPER.readTree(json);
            assertEquals("chat.completion.chunk", chunk.get("object").textValue());
            id = id == null ? chunk.get("id").textValue() : id;
            assertEquals(id, chunk.get("id").textValue(), "same id in every chunk");
            assertEquals(CREATED.getEpochSecond(), chunk.get("created").longValue());
            assertEquals(includeUsage, chunk.has("usage"), "usage key only with include_usage: " + json);
            if (chunk.get("choices").isEmpty()) {
                usageChunks++;
                assertEquals(events.size() - 2, e, "the usage chunk comes right before [DONE]");
                assertTrue(chunk.get("usage").isObject());
                continue;
            }
            assertTrue(!chunk.has("usage") || chunk.get("usage").isNull(), json);
            JsonNode choice = chunk.at("/choices/0");
            assertEquals(0, choice.get("index").intValue());
            JsonNode delta = choice.get("delta");
            assertEquals(e == 0, delta.has("role"), "role only in the first chunk: " + json);
            if (!choice.get("finish_reason").isNull()) {
                finishChunks++;
                assertTrue(delta.isEmpty(), "finish chunk has an empty delta");
            }
            for (JsonNode toolCall : delta.path("tool_calls")) {
                int index = toolCall.get("index").intValue();
                boolean first = !fragments.containsKey(index);
                if (first) {
                    assertEquals(fragments.size(), index, "indexes contiguous from 0");
                }
                fragments.merge(index, 1, Integer::sum);
                assertEquals(first, toolCall.has("id"), "id only in the first fragment: " + json);
                assertEquals(first, toolCall.has("type"), "type only in the first fragment: " + json);
                assertEquals(first, toolCall.get("function").has("name"), "name only in the first fragment: " + json);
                assertTrue(toolCall.get("function").get("arguments").isTextual());
            }
        }
        assertEquals(1, finishChunks, "exactly one finish chunk");
        assertEquals(includeUsage ? 1 : 0, usageChunks, "usage chunk only with include_usage");
    }

    private static ChatRequest request(boolean includeUsage) {
        return new ChatRequest("claude-fast", true, includeUsage,
                Json.MAPPER.createObjectNode().put("model", "claude-fast").put("stream", true));
    }

    private static SseEvent event(String name, String data) {
        return new SseEvent(name, data, null);
    }

    private static List<JsonNode> expected(String file) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(read(FIXTURES + file), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(tree(line));
            }
        }
        return lines;
    }

    private static List<JsonNode> trees(List<String> events) {
        return events.stream().map(AnthropicStreamTranslatorTest::tree).toList();
    }

    /** {@code [DONE]} is not JSON; it is compared as a text node. */
    private static JsonNode tree(String data) {
        if (SseEvent.DONE.equals(data)) {
            return Json.MAPPER.getNodeFactory().textNode(data);
        }
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The error fixture's expected chunks as they look with include_usage: "usage": null on each chunk. */
    private static List<JsonNode> withUsageNull(List<JsonNode> expected) {
        List<JsonNode> copy = new ArrayList<>();
        for (JsonNode node : expected) {
            JsonNode item = node.deepCopy();
            if (item.has("choices")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) item).putNull("usage");
            }
            copy.add(item);
        }
        assertNull(copy.get(copy.size() - 1).get("usage"), "the error payload has no usage");
        return copy;
    }
}
