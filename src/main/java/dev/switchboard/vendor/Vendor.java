package dev.switchboard.vendor;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;

/**
 * One upstream API: how to ask it for a chat completion and how to turn what it says back into OpenAI's format.
 * Implementations are stateless and thread-safe; per-stream state lives in the {@link StreamTranslator}.
 */
public interface Vendor {

    /**
     * Builds the upstream request for one attempt. Called once per attempt on a container thread.
     *
     * @throws ApiException when the caller asked for something this vendor cannot honour (a 400 naming the field)
     */
    UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) throws ApiException;

    /**
     * Converts a whole successful upstream body (non-streaming) into an OpenAI {@code chat.completion} JSON body.
     *
     * @throws UpstreamFormatException when the body is not what this vendor sends on success
     */
    byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException;

    /** Creates the translator for one stream; called once per streaming attempt. */
    StreamTranslator newStreamTranslator(ChatRequest clientRequest);

    /**
     * Reads the vendor's error body for a status the gateway relays (400, 404, 413, 422, 429, 5xx) into an
     * OpenAI-shaped error with the vendor's own message where it has one. Must accept any bytes, HTML included.
     */
    ApiError toClientError(int upstreamStatus, byte[] upstreamBody);
}
