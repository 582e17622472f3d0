package dev.switchboard.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Per-stream decoder, one per upstream response and not thread-safe: turns the bytes of a
 * {@code text/event-stream} body into complete {@link SseEvent}s, following the event stream
 * interpretation of WHATWG HTML §9.2.6.
 *
 * <p>{@link #feed} is called zero or more times, by one thread at a time, with the body in order and
 * cut at any byte; {@link #end} is called once when the body has ended. Events reach the sink
 * synchronously from inside those calls. Memory is bounded by {@code maxLineBytes} for the partial line
 * plus {@code maxLineBytes} for the data of the event being assembled; buffers grow only as far as the
 * stream needs. After an {@link SseException} the decoder must be discarded.
 */
public final class SseDecoder {
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte COLON = ':';
    private static final byte SPACE = ' ';
    private static final byte NUL = 0;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] DATA = ascii("data");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] ID = ascii("id");
    private static final int INITIAL_CAPACITY = 256;

    private final int maxLineBytes;

    /** Bytes of a line whose terminator has not arrived yet; the caller reuses its buffers, so they are copied. */
    private byte[] partialLine = new byte[0];
    private ByteBuffer partialLineView = ByteBuffer.wrap(partialLine);
    private int partialLength;
    /** A CR ended the previous chunk: an LF opening the next chunk belongs to the same CRLF line ending (§9.2.6). */
    private boolean skipLeadingLf;
    /** §9.2.6 decodes with "UTF-8 decode", which strips one BOM at the very start of the stream only. */
    private boolean atStreamStart = true;

    private byte[] data = new byte[0];
    private int dataLength;
    private int dataLines;
    private String eventType;
    private String id;

    private boolean ended;
    private boolean failed;

    /** @param maxLineBytes longest line, and most data bytes of one event, accepted from the upstream */
    public SseDecoder(int maxLineBytes) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Decodes the next part of the body and passes every event it completes to {@code sink}, in order.
     * Consumes all remaining bytes of {@code bytes}; keeps no reference to it after returning.
     *
     * @throws SseException when a line or an event's data exceeds {@code maxLineBytes}
     * @throws IllegalStateException after {@link #end} or after an earlier {@link SseException}
     */
    public void feed(ByteBuffer bytes, Consumer<SseEvent> sink) throws SseException {
        if (ended || failed) {
            throw new IllegalStateException(ended ? "SSE body already ended" : "SSE decoder failed earlier");
        }
        int limit = bytes.limit();
        int lineStart = bytes.position();
        if (skipLeadingLf && lineStart < limit) {
            skipLeadingLf = false;
            if (bytes.get(lineStart) == LF) {
                lineStart++;
            }
        }
        try {
            for (int i = lineStart; i < limit; i++) {
                byte b = bytes.get(i);
                if (b != LF && b != CR) {
                    continue;
                }
                if (partialLength == 0) {
                    checkLineLength(i - lineStart);
                    processLine(bytes, lineStart, i, sink);
                } else {
                    appendPartial(bytes, lineStart, i);
                    int length = partialLength;
                    partialLength = 0;
                    processLine(partialLineView, 0, length, sink);
                }
                if (b == CR) {
                    if (i + 1 == limit) {
                        skipLeadingLf = true;
                    } else if (bytes.get(i + 1) == LF) {
                        i++;
                    }
                }
                lineStart = i + 1;
            }
            appendPartial(bytes, lineStart, limit);
        } catch (SseException e) {
            failed = true;
            throw e;
        }
        bytes.position(limit);
    }

    /**
     * Marks the end of the body. Dispatches nothing: §9.2.6 discards an event, and a line, that the
     * body ended inside. Calling it again, or after an {@link SseException}, does nothing.
     */
    public void end(Consumer<SseEvent> sink) throws SseException {
        ended = true;
        // A finished stream should not pin buffers sized by its largest line until the exchange is collected.
        partialLine = new byte[0];
        partialLineView = ByteBuffer.wrap(partialLine);
        partialLength = 0;
        data = new byte[0];
        resetEvent();
    }

    private void processLine(ByteBuffer line, int from, int to, Consumer<SseEvent> sink) throws SseException {
        if (atStreamStart) {
            atStreamStart = false;
            if (startsWith(line, from, to, BOM)) {
                from += BOM.length;
            }
        }
        if (from == to) {
            dispatch(sink);
            return;
        }
        if (line.get(from) == COLON) {
            return; // comment, §9.2.6; upstreams use them as keep-alives
        }
        int colon = indexOf(line, from, to, COLON);
        int nameEnd = colon < 0 ? to : colon;
        int valueStart = colon < 0 ? to : colon + 1;
        if (valueStart < to && line.get(valueStart) == SPACE) {
            valueStart++; // only one space is part of the syntax, §9.2.6
        }
        if (nameEquals(line, from, nameEnd, DATA)) {
            appendData(line, valueStart, to);
        } else if (nameEquals(line, from, nameEnd, EVENT)) {
            eventType = decode(line, valueStart, to);
        } else if (nameEquals(line, from, nameEnd, ID)) {
            if (indexOf(line, valueStart, to, NUL) < 0) { // §9.2.6 ignores an id containing NUL
                id = decode(line, valueStart, to);
            }
        }
        // "retry" only tunes browser reconnection, which a gateway never does; unknown fields are ignored, §9.2.6.
    }

    private void dispatch(Consumer<SseEvent> sink) {
        if (dataLines == 0) {
            resetEvent(); // §9.2.6: an event without data is not dispatched
            return;
        }
        // §9.2.6 defaults an empty event type to "message", so an empty "event:" means the same as none.
        String type = eventType == null || eventType.isEmpty() ? null : eventType;
        SseEvent event = new SseEvent(type, new String(data, 0, dataLength, StandardCharsets.UTF_8), id);
        resetEvent();
        sink.accept(event);
    }

    /**
     * Unlike a browser's "last event ID", {@code id} does not carry over to later events: the gateway
     * never reconnects, and a carried-over id is what makes the Python SDK dispatch empty events
     * (SDK-CLIENT-REQUIREMENTS §1.3).
     */
    private void resetEvent() {
        dataLength = 0;
        dataLines = 0;
        eventType = null;
        id = null;
    }

    private void appendData(ByteBuffer line, int from, int to) throws SseException {
        int separator = dataLines == 0 ? 0 : 1; // lines are joined with LF, §9.2.6
        int needed = dataLength + separator + (to - from);
        if (needed > maxLineBytes) {
            throw new SseException("SSE event data longer than " + maxLineBytes + " bytes");
        }
        data = ensureCapacity(data, needed);
        if (separator == 1) {
            data[dataLength++] = LF;
        }
        line.get(from, data, dataLength, to - from);
        dataLength = needed;
        dataLines++;
    }

    private void appendPartial(ByteBuffer bytes, int from, int to) throws SseException {
        int length = to - from;
        if (length == 0) {
            return;
        }
        // Checked before copying, so a line that never ends cannot grow memory past the bound.
        checkLineLength(partialLength + length);
        if (partialLine.length < partialLength + length) {
            partialLine = ensureCapacity(partialLine, partialLength + length);
            partialLineView = ByteBuffer.wrap(partialLine);
        }
        bytes.get(from, partialLine, partialLength, length);
        partialLength += length;
    }

    private void checkLineLength(int length) throws SseException {
        if (length > maxLineBytes) {
            throw new SseException("SSE line longer than " + maxLineBytes + " bytes");
        }
    }

    private byte[] ensureCapacity(byte[] buffer, int needed) {
        if (buffer.length >= needed) {
            return buffer;
        }
        int capacity = Math.max(INITIAL_CAPACITY, buffer.length);
        while (capacity < needed) {
            capacity = capacity > maxLineBytes / 2 ? maxLineBytes : capacity * 2;
        }
        return Arrays.copyOf(buffer, Math.min(capacity, maxLineBytes));
    }

    /** Only whole lines are decoded, so a multi-byte character never straddles a call; §9.2.6 mandates UTF-8. */
    private static String decode(ByteBuffer line, int from, int to) {
        if (line.hasArray()) {
            return new String(line.array(), line.arrayOffset() + from, to - from, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[to - from];
        line.get(from, copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    private static int indexOf(ByteBuffer line, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (line.get(i) == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean nameEquals(ByteBuffer line, int from, int to, byte[] name) {
        return to - from == name.length && startsWith(line, from, to, name);
    }

    private static boolean startsWith(ByteBuffer line, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line.get(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
