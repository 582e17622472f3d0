package dev.switchboard.vendor;

import dev.switchboard.openai.ChatRequest;
import dev.switchboard.sse.ClientStream;

/**
 * Optional capability of a {@link Vendor} that answers inside the gateway with no upstream (the {@code mock} type).
 * Thread-safe.
 */
public interface LocalVendor {

    /**
     * Answers one request through {@code clientStream}, streaming or not. Called once, on a container thread; must
     * return at once and produce the answer asynchronously, honouring the stream's back-pressure.
     *
     * @param onUsage told the usage once it is known, for the access log
     * @param delayMs pause between streamed steps
     */
    void answer(ChatRequest clientRequest, String upstreamModel, ClientStream clientStream, UsageListener onUsage,
            long delayMs);

    /** Receives token counts for the access log. */
    interface UsageListener {
        void usage(long promptTokens, long completionTokens);
    }
}
