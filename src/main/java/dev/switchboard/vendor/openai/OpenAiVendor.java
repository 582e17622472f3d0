package dev.switchboard.vendor.openai;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;

/**
 * Upstreams that already speak OpenAI chat completions (OpenAI itself, DeepSeek, Qwen, Kimi, GLM, Ollama's
 * {@code /v1}). The request goes out with only the model renamed; responses and stream events come back untouched.
 */
public final class OpenAiVendor implements Vendor {

    @Override
    public UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) {
        return OpenAiRequests.toUpstream(clientRequest, target);
    }

    @Override
    public byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException {
        return OpenAiResponses.toClientResponse(upstreamBody);
    }

    @Override
    public StreamTranslator newStreamTranslator(ChatRequest clientRequest) {
        return new OpenAiStreamTranslator();
    }

    @Override
    public ApiError toClientError(int upstreamStatus, byte[] upstreamBody) {
        return OpenAiErrors.toClientError(upstreamStatus, upstreamBody);
    }
}
