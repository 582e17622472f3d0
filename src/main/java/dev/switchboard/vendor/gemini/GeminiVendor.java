package dev.switchboard.vendor.gemini;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Google Gemini's Generative Language API v1beta. The platform's base URL includes the version path
 * ({@code https://generativelanguage.googleapis.com/v1beta}); the API version setting is not used. Stateless and
 * thread-safe.
 */
public final class GeminiVendor implements Vendor {
    private final Clock clock;
    private final Supplier<String> randomIds;
    private final GeminiResponses responses;

    public GeminiVendor() {
        this(Clock.systemUTC(), GeminiOutput.RANDOM_IDS);
    }

    /** For tests: a fixed clock and predictable ids make whole outputs comparable. */
    GeminiVendor(Clock clock, Supplier<String> randomIds) {
        this.clock = clock;
        this.randomIds = randomIds;
        this.responses = new GeminiResponses(clock, randomIds);
    }

    @Override
    public UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) throws ApiException {
        return GeminiRequests.toUpstream(clientRequest, target);
    }

    @Override
    public byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException {
        return responses.toClientResponse(upstreamBody, clientRequest);
    }

    @Override
    public StreamTranslator newStreamTranslator(ChatRequest clientRequest) {
        return new GeminiStreamTranslator(clientRequest, clock, randomIds);
    }

    @Override
    public ApiError toClientError(int upstreamStatus, byte[] upstreamBody) {
        return GeminiErrors.toClientError(upstreamStatus, upstreamBody);
    }
}
