package dev.switchboard.vendor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Replays a recorded upstream {@code .sse} body through the real {@link SseDecoder} into a {@link StreamTranslator},
 * cut at chosen chunk boundaries, and records what the translator emits. Shared by every vendor's translator test
 * (DESIGN.md, style 8): a translator must give the same output however the network happened to split the bytes.
 *
 * <p>Typical use:
 * <pre>{@code
 * byte[] body = FixtureReplay.read("/fixtures/openai/openai-chat-stream-text.sse");
 * for (List<Integer> sizes : FixtureReplay.chunkings(body.length, 42L, 500)) {
 *     Recorder out = FixtureReplay.replay(body, sizes, vendor.newStreamTranslator(request));
 *     assertEquals(expected, out.takeAll(), () -> "chunk sizes " + sizes);
 *     out.assertNothingLeft();
 * }
 * }</pre>
 */
public final class FixtureReplay {
    /** Longest SSE line the decoder accepts in a replay; far above any fixture. */
    public static final int MAX_EVENT_BYTES = 1024 * 1024;
    /** Bytes in front of each chunk in the shared buffer, so the decoder sees a buffer whose position is not 0. */
    private static final int CHUNK_OFFSET = 3;

    private FixtureReplay() {}

    /** The bytes of a classpath resource such as {@code /fixtures/openai/openai-chat-stream-text.sse}. */
    public static byte[] read(String resource) {
        try (InputStream in = FixtureReplay.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing test resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code data} payloads of an LF-framed {@code .sse} file, in order, read line by line without the decoder
     * under test: what a pass-through translator must emit, and how an expected-output fixture is read. Lines of
     * one event are joined with {@code "\n"}; comments and other fields are skipped; an event the file ends inside
     * is not counted.
     */
    public static List<String> dataPayloads(byte[] sse) {
        List<String> payloads = new ArrayList<>();
        StringBuilder data = null;
        for (String line : new String(sse, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    payloads.add(data.toString());
                }
                data = null;
            } else if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return payloads;
    }

    /**
     * Ways to cut a body of {@code length} bytes: whole, one byte at a time, then {@code randomRounds} random
     * cuttings from {@code seed} (some with empty chunks, as a network read may deliver).
     */
    public static List<List<Integer>> chunkings(int length, long seed, int randomRounds) {
        List<List<Integer>> chunkings = new ArrayList<>();
        chunkings.add(List.of(length));
        chunkings.add(Collections.nCopies(length, 1));
        Random random = new Random(seed);
        for (int round = 0; round < randomRounds; round++) {
            chunkings.add(randomChunkSizes(random, length));
        }
        return chunkings;
    }

    /** Chunk sizes adding up to {@code length}: mostly small, sometimes large, now and then empty. */
    public static List<Integer> randomChunkSizes(Random random, int length) {
        int maxChunk = random.nextBoolean() ? 1 + random.nextInt(16) : 1 + random.nextInt(Math.max(1, length));
        List<Integer> sizes = new ArrayList<>();
        int left = length;
        while (left > 0) {
            int size = random.nextInt(20) == 0 ? 0 : Math.min(left, 1 + random.nextInt(maxChunk));
            sizes.add(size);
            left -= size;
        }
        return sizes;
    }

    /**
     * Feeds {@code body}, cut into {@code chunkSizes}, through a fresh decoder into {@code translator}, then ends the
     * decoder; does not call {@link StreamTranslator#onEnd}. Each chunk is copied into one shared buffer that is
     * overwritten after every call, as an HTTP client reuses its buffers, so nothing may keep a reference to it.
     *
     * @throws UpstreamFormatException the first one {@code onEvent} threw; no event reaches the translator after it
     * @throws SseException            when the decoder refuses the body
     */
    public static Recorder feed(byte[] body, List<Integer> chunkSizes, StreamTranslator translator)
            throws UpstreamFormatException, SseException {
        assertTrue(chunkSizes.stream().mapToInt(Integer::intValue).sum() == body.length,
                () -> "chunk sizes " + chunkSizes + " do not add up to " + body.length);
        Recorder out = new Recorder();
        UpstreamFormatException[] failure = new UpstreamFormatException[1];
        SseDecoder decoder = new SseDecoder(MAX_EVENT_BYTES);
        byte[] shared = new byte[CHUNK_OFFSET + body.length];
        int offset = 0;
        for (int size : chunkSizes) {
            Arrays.fill(shared, (byte) '#');
            System.arraycopy(body, offset, shared, CHUNK_OFFSET, size);
            offset += size;
            decoder.feed(ByteBuffer.wrap(shared, CHUNK_OFFSET, size), event -> {
                if (failure[0] != null) {
                    return;
                }
                try {
                    translator.onEvent(event, out);
                } catch (UpstreamFormatException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
        }
        decoder.end(event -> {
            throw new AssertionError("the decoder dispatched " + event + " at the end of the body");
        });
        return out;
    }

    /** {@link #feed}, then {@link StreamTranslator#onEnd} into the same recorder, as a body that ended normally. */
    public static Recorder replay(byte[] body, List<Integer> chunkSizes, StreamTranslator translator)
            throws UpstreamFormatException, SseException {
        Recorder out = feed(body, chunkSizes, translator);
        translator.onEnd(out);
        return out;
    }

    /**
     * Records what a translator emits, in order. Tests take the events they expect and finish with
     * {@link #assertNothingLeft()}, so an extra event is a failure rather than something nobody looked at.
     */
    public static final class Recorder implements EventSink {
        private final Deque<String> events = new ArrayDeque<>();

        @Override
        public void data(String json) {
            assertNotNull(json, "a translator emitted null");
            events.addLast(json);
        }

        /** Removes and returns the oldest event not taken yet; fails when there is none. */
        public String take() {
            assertFalse(events.isEmpty(), "expected another event, but none is left");
            return events.removeFirst();
        }

        /** Removes and returns every event not taken yet. */
        public List<String> takeAll() {
            List<String> all = new ArrayList<>(events);
            events.clear();
            return all;
        }

        public void assertNothingLeft() {
            assertTrue(events.isEmpty(), () -> "unexpected events left: " + events);
        }
    }
}
