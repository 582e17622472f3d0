package dev.switchboard.vendor.azure;

import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.openai.OpenAiResponses;

/**
 * Azure OpenAI body → OpenAI body: relayed as it is. Azure's extra {@code prompt_filter_results} and per-choice
 * {@code content_filter_results} are extra keys the OpenAI schema allows and the SDKs keep, and {@code model} is the
 * underlying model Azure reports (as OpenAI reports a dated snapshot), so nothing needs rewriting.
 */
final class AzureResponses {
    private AzureResponses() {}

    static byte[] toClientResponse(byte[] upstreamBody) throws UpstreamFormatException {
        return OpenAiResponses.toClientResponse(upstreamBody);
    }
}
