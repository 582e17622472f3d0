package dev.switchboard.sse;

/**
 * One complete Server-Sent Event as decoded from an upstream body (WHATWG HTML §9.2.6).
 *
 * @param event the {@code event:} field, or {@code null} when the event had none
 * @param data  the {@code data:} lines joined with {@code "\n"}; never {@code null}
 * @param id    the {@code id:} field of this event, or {@code null} when the event had none
 */
public record SseEvent(String event, String data, String id) {

    /** The OpenAI stream terminator payload, {@code data: [DONE]}. */
    public static final String DONE = "[DONE]";

    public boolean isDone() {
        return DONE.equals(data);
    }
}
