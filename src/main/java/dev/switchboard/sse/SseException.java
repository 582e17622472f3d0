package dev.switchboard.sse;

/** The upstream broke SSE framing in a way the decoder refuses to guess about (an over-long line). */
public final class SseException extends Exception {
    public SseException(String message) {
        super(message);
    }
}
