package dev.switchboard.vendor.openai;

import dev.switchboard.vendor.UpstreamFormatException;

/**
 * OpenAI-compatible upstream body → OpenAI body: relayed as it is, once it looks like a JSON object. Public for
 * upstreams whose responses are OpenAI-shaped behind a different request format (Azure OpenAI).
 */
public final class OpenAiResponses {
    private OpenAiResponses() {}

    public static byte[] toClientResponse(byte[] upstreamBody) throws UpstreamFormatException {
        // A full parse would cost a tree per response; a JSON object is all a caller's SDK needs, and an HTML page
        // from a misbehaving proxy fails this check.
        for (byte b : upstreamBody) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            if (b == '{') {
                return upstreamBody;
            }
            break;
        }
        throw new UpstreamFormatException(UpstreamFormatException.INVALID_RESPONSE,
                "The upstream answered with a body that is not a JSON object.");
    }
}
