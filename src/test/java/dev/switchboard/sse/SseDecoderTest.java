package dev.switchboard.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseDecoderTest {
    private static final int MAX = 1024;

    /**
     * Exercises most of the grammar at once: BOM, CR/LF/CRLF, comments, multi-byte UTF-8 in every field,
     * multi-line data, an event without data, a field without colon, retry, and an unterminated tail.
     */
    private static final byte[] MIXED = utf8("\uFEFFevent: gr\u00e9eting\r\n"
            + ": hello\r\n"
            + "id: \u65e57\r"
            + "data: h\u00e9llo \u65e5\u672c \uD83C\uDF89\n"
            + "data:second\r\n"
            + "\r\n"
            + "data: {\"a\":1}\r"
            + "\r"
            + "retry: 10\n"
            + "event: orphan\n"
            + "id: 9\n"
            + "\n"
            + "data\n"
            + "\n"
            + "data: last\r\n\r\n"
            + "data: unterminated");

    private static final List<SseEvent> MIXED_EVENTS = List.of(
            new SseEvent("gr\u00e9eting", "h\u00e9llo \u65e5\u672c \uD83C\uDF89\nsecond", "\u65e57"),
            data("{\"a\":1}"),
            data(""),
            data("last"));

    // --- basics

    @Test
    void singleEvent() throws SseException {
        assertEquals(List.of(data("hello")), decode("data: hello\n\n"));
    }

    @Test
    void multipleEvents() throws SseException {
        assertEquals(List.of(data("a"), data("b"), data("c")), decode("data: a\n\ndata: b\n\ndata: c\n\n"));
    }

    @Test
    void mixedStreamInOneChunk() throws SseException {
        assertEquals(MIXED_EVENTS, decode(MIXED, List.of(MIXED.length)));
    }

    // --- chunk boundaries

    @Test
    void everySplitIntoTwoChunks() throws SseException {
        for (int split = 0; split <= MIXED.length; split++) {
            assertEquals(MIXED_EVENTS, decode(MIXED, List.of(split, MIXED.length - split)), "split at " + split);
        }
    }

    @Test
    void everySplitIntoThreeChunks() throws SseException {
        for (int first = 0; first <= MIXED.length; first++) {
            for (int second = first; second <= MIXED.length; second++) {
                List<Integer> sizes = List.of(first, second - first, MIXED.length - second);
                assertEquals(MIXED_EVENTS, decode(MIXED, sizes), "splits at " + first + ", " + second);
            }
        }
    }

    @Test
    void randomSplitsIntoManyChunks() throws SseException {
        Random random = new Random(20240601L);
        for (int round = 0; round < 2000; round++) {
            List<Integer> sizes = randomSizes(random, MIXED.length, 1 + random.nextInt(12));
            assertEquals(MIXED_EVENTS, decode(MIXED, sizes), "chunk sizes " + sizes);
        }
    }

    @Test
    void oneByteAtATime() throws SseException {
        assertEquals(MIXED_EVENTS, decode(MIXED, ones(MIXED.length)));
    }

    @Test
    void directBuffersDecodeLikeHeapBuffers() throws SseException {
        assertEquals(MIXED_EVENTS, decodeDirect(MIXED, List.of(MIXED.length)));
        assertEquals(MIXED_EVENTS, decodeDirect(MIXED, ones(MIXED.length)));
    }

    @Test
    void multiByteCharactersSplitAtEveryByte() throws SseException {
        byte[] body = utf8("event: \u65e5\nid: \u00e9\ndata: h\u00e9llo \u65e5\u672c \uD83C\uDF89\n\n");
        List<SseEvent> expected = List.of(new SseEvent("\u65e5", "h\u00e9llo \u65e5\u672c \uD83C\uDF89", "\u00e9"));
        for (int split = 0; split <= body.length; split++) {
            assertEquals(expected, decode(body, List.of(split, body.length - split)), "split at " + split);
        }
        assertEquals(expected, decode(body, ones(body.length)));
    }

    @Test
    void invalidUtf8BecomesReplacementCharacter() throws SseException {
        byte[] body = {'d', 'a', 't', 'a', ':', ' ', 'a', (byte) 0xFF, 'b', '\n', '\n'};
        assertEquals(List.of(data("a\uFFFDb")), decode(body, List.of(body.length)));
    }

    // --- line endings

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void eachLineEnding(String eol) throws SseException {
        String body = "data: a" + eol + "data: b" + eol + eol + "event: x" + eol + "data: c" + eol + eol;
        assertEquals(List.of(data("a\nb"), new SseEvent("x", "c", null)), decode(body));
    }

    @Test
    void mixedLineEndings() throws SseException {
        assertEquals(List.of(data("a\nb\nc"), data("d")), decode("data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\r"));
    }

    @Test
    void crAtChunkEndAndLfAtNextChunkStartAreOneLineEnding() throws SseException {
        // Were the LF a second line ending, it would be a blank line dispatching "a" on its own.
        assertEquals(List.of(data("a\nb")), decodeChunks("data: a\r", "\ndata: b\n\n"));
    }

    @Test
    void crLfSeparatedByEmptyChunkIsStillOneLineEnding() throws SseException {
        assertEquals(List.of(data("a\nb")), decodeChunks("data: a\r", "", "\ndata: b\n\n"));
    }

    @Test
    void crAtChunkEndFollowedByOtherByteKeepsThatByte() throws SseException {
        assertEquals(List.of(data("a\nb")), decodeChunks("data: a\r", "data: b\r\r"));
    }

    @Test
    void eventEndingInCrIsDispatchedWithoutWaitingForLf() throws SseException {
        SseDecoder decoder = new SseDecoder(MAX);
        Recorder recorder = new Recorder();
        decoder.feed(ByteBuffer.wrap(utf8("data: a\r\n\r")), recorder);
        assertEquals(List.of(data("a")), recorder.events);
    }

    // --- fields

    @Test
    void commentsAreIgnored() throws SseException {
        assertEquals(List.of(data("a\nb")), decode(": keepalive\n\n:\ndata: a\n: keepalive\ndata: b\n\n"));
    }

    @Test
    void multiLineDataJoinedWithLf() throws SseException {
        assertEquals(List.of(data("one\ntwo\n\nfour")), decode("data: one\ndata: two\ndata:\ndata: four\n\n"));
    }

    @Test
    void dataWithoutSpaceAfterColon() throws SseException {
        assertEquals(List.of(data("x")), decode("data:x\n\n"));
    }

    @Test
    void onlyOneSpaceAfterColonIsRemoved() throws SseException {
        assertEquals(List.of(data(" x ")), decode("data:  x \n\n"));
    }

    @Test
    void onlyFirstColonSeparatesNameFromValue() throws SseException {
        assertEquals(List.of(data("a: b")), decode("data: a: b\n\n"));
    }

    @Test
    void emptyDataLineIsDispatchedAsEmptyString() throws SseException {
        assertEquals(List.of(data("")), decode("data:\n\n"));
    }

    @Test
    void fieldWithoutColonHasEmptyValue() throws SseException {
        assertEquals(List.of(data(""), data("\n")), decode("data\n\ndata\ndata\n\n"));
    }

    @Test
    void eventAndIdFields() throws SseException {
        assertEquals(List.of(new SseEvent("ping", "x", "42")), decode("event: ping\nid: 42\ndata: x\n\n"));
    }

    @Test
    void emptyEventFieldMeansNoEventName() throws SseException {
        assertEquals(List.of(data("x"), data("y")), decode("event:\ndata: x\n\nevent\ndata: y\n\n"));
    }

    @Test
    void emptyIdIsKeptAsEmpty() throws SseException {
        assertEquals(List.of(new SseEvent(null, "x", "")), decode("id:\ndata: x\n\n"));
    }

    @Test
    void idContainingNulIsIgnored() throws SseException {
        assertEquals(List.of(data("x"), new SseEvent(null, "y", "1")),
                decode("id: 4\u00002\ndata: x\n\nid: 1\nid: 2\u0000\ndata: y\n\n"));
    }

    @Test
    void eventAndIdDoNotCarryOverToNextEvent() throws SseException {
        assertEquals(List.of(new SseEvent("a", "x", "1"), data("y")),
                decode("event: a\nid: 1\ndata: x\n\ndata: y\n\n"));
    }

    @Test
    void eventWithoutDataIsNotDispatchedAndForgotten() throws SseException {
        assertEquals(List.of(data("y")), decode("event: a\nid: 1\n\ndata: y\n\n"));
    }

    @Test
    void retryUnknownAndDifferentlySpelledFieldsAreIgnored() throws SseException {
        assertEquals(List.of(data("x")), decode("retry: 1000\nfoo: bar\nDATA: shout\ndata : spaced\ndata: x\n\n"));
    }

    // --- stream start and end

    @Test
    void leadingBomIsStripped() throws SseException {
        assertEquals(List.of(data("x")), decode("\uFEFFdata: x\n\n"));
    }

    @Test
    void leadingBomSplitAcrossChunksIsStripped() throws SseException {
        byte[] body = utf8("\uFEFFdata: x\n\n");
        for (int split = 0; split <= 3; split++) {
            assertEquals(List.of(data("x")), decode(body, List.of(split, body.length - split)), "split at " + split);
        }
    }

    @Test
    void onlyOneBomAndOnlyAtStreamStartIsStripped() throws SseException {
        assertEquals(List.of(), decode("\uFEFF\uFEFFdata: x\n\n"));
        assertEquals(List.of(data("x")), decode("data: x\n\n\uFEFFdata: y\n\n"));
    }

    @Test
    void trailingEventWithoutBlankLineIsDiscardedAtEnd() throws SseException {
        assertEquals(List.of(data("a")), decode("data: a\n\ndata: b\n"));
        assertEquals(List.of(data("a")), decode("data: a\n\ndata: b"));
    }

    @Test
    void feedAfterEndIsRefusedAndEndTwiceIsHarmless() throws SseException {
        SseDecoder decoder = new SseDecoder(MAX);
        Recorder recorder = new Recorder();
        decoder.end(recorder);
        decoder.end(recorder);
        assertThrows(IllegalStateException.class, () -> decoder.feed(ByteBuffer.wrap(utf8("data: x\n\n")), recorder));
        assertEquals(List.of(), recorder.events);
    }

    @Test
    void decoderCopiesWhatItKeepsBecauseCallerReusesBuffer() throws SseException {
        SseDecoder decoder = new SseDecoder(MAX);
        Recorder recorder = new Recorder();
        byte[] reused = utf8("data: abc\ndata: de");
        decoder.feed(ByteBuffer.wrap(reused), recorder);
        Arrays.fill(reused, (byte) 'X');
        decoder.feed(ByteBuffer.wrap(utf8("f\n\n")), recorder);
        assertEquals(List.of(data("abc\ndef")), recorder.events);
    }

    @Test
    void feedConsumesOnlyAndAllOfRemainingBytes() throws SseException {
        SseDecoder decoder = new SseDecoder(MAX);
        Recorder recorder = new Recorder();
        ByteBuffer buffer = ByteBuffer.wrap(utf8("data: no\n\ndata: yes\n\ndata: no\n\n"));
        buffer.position(10).limit(21);
        decoder.feed(buffer, recorder);
        assertEquals(21, buffer.position());
        assertEquals(List.of(data("yes")), recorder.events);
    }

    @Test
    void rejectsNonPositiveLimit() {
        assertThrows(IllegalArgumentException.class, () -> new SseDecoder(0));
    }

    // --- bounds

    @Test
    void lineOfExactlyMaxBytesIsAccepted() throws SseException {
        byte[] body = utf8("data: 0123456789\n\n"); // the line is 16 bytes
        assertEquals(List.of(data("0123456789")), decode(16, body, List.of(body.length)));
        assertEquals(List.of(data("0123456789")), decode(16, body, ones(body.length)));
    }

    @Test
    void overLongLineThrows() {
        byte[] body = utf8("data: 0123456789X\n\n");
        SseException whole = assertThrows(SseException.class, () -> decode(16, body, List.of(body.length)));
        assertEquals("SSE line longer than 16 bytes", whole.getMessage());
        SseException split = assertThrows(SseException.class, () -> decode(16, body, ones(body.length)));
        assertEquals("SSE line longer than 16 bytes", split.getMessage());
    }

    @Test
    void overLongCommentThrowsToo() {
        byte[] body = utf8(": " + "k".repeat(15) + "\n");
        assertThrows(SseException.class, () -> decode(16, body, List.of(body.length)));
    }

    @Test
    void neverEndingLineThrowsAsSoonAsItPassesTheBound() throws SseException {
        SseDecoder decoder = new SseDecoder(16);
        Recorder recorder = new Recorder();
        ByteBuffer oneByte = ByteBuffer.allocate(1);
        for (int i = 0; i < 16; i++) {
            oneByte.clear().put((byte) 'a').flip();
            decoder.feed(oneByte, recorder);
        }
        oneByte.clear().put((byte) 'a').flip();
        SseException e = assertThrows(SseException.class, () -> decoder.feed(oneByte, recorder));
        assertEquals("SSE line longer than 16 bytes", e.getMessage());
        assertThrows(IllegalStateException.class, () -> decoder.feed(ByteBuffer.wrap(utf8("\n")), recorder));
        assertEquals(List.of(), recorder.events);
    }

    @Test
    void overLongLineWithoutNewlineInOneChunkThrowsOnFeed() {
        SseDecoder decoder = new SseDecoder(16);
        ByteBuffer chunk = ByteBuffer.wrap(utf8("data: " + "a".repeat(11)));
        assertThrows(SseException.class, () -> decoder.feed(chunk, new Recorder()));
    }

    @Test
    void eventDataIsBoundedAcrossLines() throws SseException {
        byte[] exactly = utf8("data: 0123456\ndata: 01234567\n\n"); // 7 + LF + 8 = 16 data bytes
        assertEquals(List.of(data("0123456\n01234567")), decode(16, exactly, ones(exactly.length)));
        byte[] tooMuch = utf8("data: 0123456\ndata: 012345678\n\n");
        SseException e = assertThrows(SseException.class, () -> decode(16, tooMuch, List.of(tooMuch.length)));
        assertEquals("SSE event data longer than 16 bytes", e.getMessage());
    }

    // --- recorded upstream stream

    @Test
    void openAiChatStreamFixture() throws IOException, SseException {
        byte[] body = fixture("/fixtures/openai/openai-chat-stream-text.sse");
        List<SseEvent> events = decode(MAX, body, List.of(body.length));
        assertEquals(7, events.size());
        assertTrue(events.get(6).isDone());
        List<String> contents = List.of("\"content\":\"\"", "\"content\":\"Bon\"", "\"content\":\"jour\"",
                "\"content\":\" !\"", "\"finish_reason\":\"stop\"", "\"total_tokens\":16");
        for (int i = 0; i < 6; i++) {
            SseEvent event = events.get(i);
            assertEquals(null, event.event());
            assertEquals(null, event.id());
            assertTrue(event.data().startsWith("{\"id\":\"chatcmpl-gw0001\""), event.data());
            assertTrue(event.data().endsWith("}"), event.data());
            assertTrue(event.data().contains(contents.get(i)), event.data());
        }
        Random random = new Random(7L);
        for (int round = 0; round < 200; round++) {
            List<Integer> sizes = randomSizes(random, body.length, 1 + random.nextInt(64));
            assertEquals(events, decode(MAX, body, sizes), "chunk sizes " + sizes);
        }
    }

    // --- helpers

    private static SseEvent data(String data) {
        return new SseEvent(null, data, null);
    }

    private static List<SseEvent> decode(String body) throws SseException {
        byte[] bytes = utf8(body);
        return decode(bytes, List.of(bytes.length));
    }

    private static List<SseEvent> decodeChunks(String... chunks) throws SseException {
        StringBuilder body = new StringBuilder();
        List<Integer> sizes = new ArrayList<>();
        for (String chunk : chunks) {
            body.append(chunk);
            sizes.add(utf8(chunk).length);
        }
        return decode(utf8(body.toString()), sizes);
    }

    private static List<SseEvent> decode(byte[] body, List<Integer> sizes) throws SseException {
        return decode(MAX, body, sizes);
    }

    /**
     * Feeds {@code body} cut into chunks of {@code sizes}, the way HttpClient 5 does: through one reused buffer
     * (an array slice with an offset, the chunk between a non-zero position and the limit, line endings on both
     * sides to expose reads outside it) that is overwritten after every call.
     */
    private static List<SseEvent> decode(int max, byte[] body, List<Integer> sizes) throws SseException {
        SseDecoder decoder = new SseDecoder(max);
        Recorder recorder = new Recorder();
        byte[] reused = new byte[body.length + 8];
        int offset = 0;
        for (int size : sizes) {
            Arrays.fill(reused, (byte) '\n');
            System.arraycopy(body, offset, reused, 4, size);
            ByteBuffer chunk = ByteBuffer.wrap(reused, 1, reused.length - 1).slice();
            chunk.position(3).limit(3 + size);
            decoder.feed(chunk, recorder);
            assertEquals(chunk.limit(), chunk.position(), "feed must consume the whole chunk");
            Arrays.fill(reused, (byte) 'X');
            offset += size;
        }
        assertEquals(body.length, offset, "chunk sizes must cover the body");
        decoder.end(recorder);
        return recorder.events;
    }

    private static List<SseEvent> decodeDirect(byte[] body, List<Integer> sizes) throws SseException {
        SseDecoder decoder = new SseDecoder(MAX);
        Recorder recorder = new Recorder();
        ByteBuffer reused = ByteBuffer.allocateDirect(body.length);
        int offset = 0;
        for (int size : sizes) {
            reused.clear().put(body, offset, size).flip();
            decoder.feed(reused, recorder);
            offset += size;
        }
        decoder.end(recorder);
        return recorder.events;
    }

    private static List<Integer> randomSizes(Random random, int total, int maxChunk) {
        List<Integer> sizes = new ArrayList<>();
        int left = total;
        while (left > 0) {
            int size = Math.min(left, random.nextInt(maxChunk + 1)); // zero-length chunks happen in practice
            sizes.add(size);
            left -= size;
        }
        return sizes;
    }

    private static List<Integer> ones(int total) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            sizes.add(1);
        }
        return sizes;
    }

    private static byte[] fixture(String resource) throws IOException {
        try (InputStream in = SseDecoderTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return in.readAllBytes();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Collects every dispatched event; tests compare the whole list, so nothing unexpected goes unseen. */
    private static final class Recorder implements Consumer<SseEvent> {
        final List<SseEvent> events = new ArrayList<>();

        @Override
        public void accept(SseEvent event) {
            events.add(event);
        }
    }
}
