package dev.switchboard.vendor.openai;

import dev.switchboard.sse.SseEvent;
import dev.switchboard.vendor.EventSink;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;

/**
 * Per-stream: relays an OpenAI-compatible stream event by event without re-serialising it. Drops what would break
 * an OpenAI SDK (named keep-alive events) and reports a stream that ends without {@code [DONE]}. Public so that
 * vendors with OpenAI-shaped streams (Azure OpenAI) can relay through it after their own filtering.
 */
public final class OpenAiStreamTranslator implements StreamTranslator {
    private boolean done;
    private boolean errorSeen;

    @Override
    public void onEvent(SseEvent upstreamEvent, EventSink out) {
        if (done) {
            return;
        }
        String data = upstreamEvent.data();
        if (upstreamEvent.isDone()) {
            done = true;
            out.data(SseEvent.DONE);
            return;
        }
        if (data.isEmpty() || "ping".equals(upstreamEvent.event())) {
            return;
        }
        if (isErrorEvent(data)) {
            // Already OpenAI's in-band error shape; the upstream ends the stream after it.
            errorSeen = true;
        }
        // Multi-line data is legal SSE, but OpenAI SDKs read one JSON object per line; inside JSON a raw newline can
        // only be whitespace between tokens, so a space is equivalent.
        out.data(data.indexOf('\n') < 0 ? data : data.replace('\n', ' '));
    }

    /** {@code {"error":...}} with any whitespace the upstream's serialiser puts around the first key. */
    private static boolean isErrorEvent(String data) {
        int i = skipWhitespace(data, 0);
        if (i >= data.length() || data.charAt(i) != '{') {
            return false;
        }
        i = skipWhitespace(data, i + 1);
        return data.startsWith("\"error\"", i);
    }

    private static int skipWhitespace(String text, int from) {
        int i = from;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\n'
                || text.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    @Override
    public void onEnd(EventSink out) throws UpstreamFormatException {
        if (!done && !errorSeen) {
            throw new UpstreamFormatException(UpstreamFormatException.TRUNCATED,
                    "The upstream stream ended before it was complete.");
        }
    }
}
