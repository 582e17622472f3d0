package dev.switchboard.vendor.azure;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;

/**
 * Azure OpenAI deployments. The platform's {@code models} map public names to deployment names, and its
 * {@code apiVersion} picks the dated API. Stateless and thread-safe; each stream gets its own translator.
 */
public final class AzureOpenAiVendor implements Vendor {

    @Override
    public UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) {
        return AzureRequests.toUpstream(clientRequest, target);
    }

    @Override
    public byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException {
        return AzureResponses.toClientResponse(upstreamBody);
    }

    @Override
    public StreamTranslator newStreamTranslator(ChatRequest clientRequest) {
        return new AzureStreamTranslator();
    }

    @Override
    public ApiError toClientError(int upstreamStatus, byte[] upstreamBody) {
        return AzureErrors.toClientError(upstreamStatus, upstreamBody);
    }
}
