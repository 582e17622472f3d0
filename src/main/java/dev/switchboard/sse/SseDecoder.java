package dev.switchboard.sse;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** Placeholder: replaced by the real decoder. */
public final class SseDecoder {
    public SseDecoder(int maxLineBytes) {}
    public void feed(ByteBuffer bytes, Consumer<SseEvent> sink) throws SseException {}
    public void end(Consumer<SseEvent> sink) throws SseException {}
}
