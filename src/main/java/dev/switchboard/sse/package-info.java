/**
 * Server-Sent Events on both sides of the gateway: {@link dev.switchboard.sse.SseDecoder} turns upstream
 * {@code text/event-stream} bytes into {@link dev.switchboard.sse.SseEvent}s once, centrally, so vendor code never
 * parses SSE text, and {@code ClientStream} is the one object that writes a streaming response to the client
 * (and, in pass-through mode, aborts it through each container's own means, {@code ConnectionAbort}).
 */
package dev.switchboard.sse;
