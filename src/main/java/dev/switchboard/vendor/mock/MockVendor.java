package dev.switchboard.vendor.mock;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.vendor.LocalVendor;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;
import dev.switchboard.vendor.openai.OpenAiVendor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code mock} type: answers inside the gateway by echoing the last user message, word by word when streaming,
 * so the gateway can be tried and smoke-tested with no vendor key. It speaks OpenAI's format, so the conversion
 * methods are OpenAI's; it is never sent upstream.
 */
public final class MockVendor implements Vendor, LocalVendor {
    private final OpenAiVendor openAiFormat = new OpenAiVendor();
    private final ScheduledExecutorService timer;

    public MockVendor(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    @Override
    public void answer(ChatRequest clientRequest, String upstreamModel, ClientStream clientStream,
            UsageListener onUsage, long delayMs) {
        MockAnswer answer = MockAnswer.of(clientRequest);
        onUsage.usage(answer.promptTokens(), answer.completionTokens());
        if (!clientRequest.stream()) {
            clientStream.respond(200, "application/json", java.util.Map.of(), answer.toCompletionJson());
            return;
        }
        new MockStream(answer, clientRequest.includeUsage(), clientStream, timer, delayMs).start();
    }

    @Override
    public UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) {
        throw new IllegalStateException("the mock platform answers locally and has no upstream");
    }

    @Override
    public byte[] toClientResponse(byte[] upstreamBody, ChatRequest clientRequest) throws UpstreamFormatException {
        return openAiFormat.toClientResponse(upstreamBody, clientRequest);
    }

    @Override
    public StreamTranslator newStreamTranslator(ChatRequest clientRequest) {
        return openAiFormat.newStreamTranslator(clientRequest);
    }

    @Override
    public ApiError toClientError(int upstreamStatus, byte[] upstreamBody) {
        return openAiFormat.toClientError(upstreamStatus, upstreamBody);
    }
}
