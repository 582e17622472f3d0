package dev.switchboard.vendor;

import dev.switchboard.sse.SseEvent;

/**
 * Per-stream: turns the upstream's decoded SSE events into OpenAI {@code chat.completion.chunk} events. Not
 * thread-safe; state lives in the implementation's fields.
 *
 * <p>Called on the upstream I/O thread, one call at a time, in stream order: {@link #onEvent} zero or more times,
 * then {@link #onEnd} exactly once if the upstream body ended normally (not after a failure or cancellation). Must
 * not block and must not keep references to the sink's output beyond the call.
 */
public interface StreamTranslator {

    /** Emits zero or more OpenAI events for one upstream event. */
    void onEvent(SseEvent upstreamEvent, EventSink out) throws UpstreamFormatException;

    /**
     * Emits the tail (finish and usage chunks, {@code [DONE]}) after the upstream body ended.
     *
     * @throws UpstreamFormatException with code {@code upstream_stream_truncated} when the upstream stopped before
     *     its own terminal event, so the caller is told instead of seeing a stream that only looks complete
     */
    void onEnd(EventSink out) throws UpstreamFormatException;
}
