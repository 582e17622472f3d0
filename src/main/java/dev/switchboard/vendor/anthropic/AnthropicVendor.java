package dev.switchboard.vendor.anthropic;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;
import java.time.Clock;

/** Anthropic's Messages API. Stateless and thread-safe; each stream gets its own translator. */
public final class AnthropicVendor implements Vendor {
    private final Clock clock;

    public AnthropicVendor() {
        this(Clock.systemUTC());
    }

    /** With the clock that dates responses ({@code created}); tests pass a fixed one. */
    AnthropicVendor(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) throws ApiException {
        return AnthropicRequests.toUpstream(clientRequest, target);
    }

    @Override
    public byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException {
        return AnthropicResponses.toClientResponse(upstreamBody, clientRequest, now());
    }

    @Override
    public StreamTranslator newStreamTranslator(ChatRequest clientRequest) {
        return new AnthropicStreamTranslator(clientRequest, now());
    }

    @Override
    public ApiError toClientError(int upstreamStatus, byte[] upstreamBody) {
        return AnthropicErrors.toClientError(upstreamStatus, upstreamBody);
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}
