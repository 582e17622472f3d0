package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.usage.UsageParser;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.Vendor;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Per-exchange: the whole-body side of an {@link UpstreamExchange} — any response that is not a stream to relay
 * (a JSON answer, an error status, a stream the client did not ask for), read into memory up to the size limit and
 * then converted for the client or reported as a failure.
 *
 * <p>Not thread-safe: created and fed on the exchange's I/O thread only. Other threads can only end the exchange,
 * through the shared {@link AttemptOutcome}.
 */
final class WholeResponse {
    private final Vendor vendor;
    private final ChatRequest clientRequest;
    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final AttemptOutcome outcome;
    private final int upstreamStatus;
    private final String contentType;
    private final String retryAfter;
    private final String retryAfterMs;
    private final boolean expectJson;
    private final BoundedBody body;

    /**
     * @param contentType  the upstream's {@code Content-Type} as sent, or {@code null}
     * @param retryAfter   the upstream's {@code Retry-After} as sent, or {@code null}
     * @param retryAfterMs the upstream's {@code retry-after-ms} as sent, or {@code null}
     * @param expectJson   whether the content type says JSON, the one format a whole success may have
     */
    WholeResponse(Vendor vendor, ChatRequest clientRequest, ClientStream clientStream, AccessRecord accessRecord,
            AttemptOutcome outcome, int upstreamStatus, String contentType, String retryAfter, String retryAfterMs,
            boolean expectJson, long maxResponseBytes) {
        this.vendor = vendor;
        this.clientRequest = clientRequest;
        this.clientStream = clientStream;
        this.accessRecord = accessRecord;
        this.outcome = outcome;
        this.upstreamStatus = upstreamStatus;
        this.contentType = contentType;
        this.retryAfter = retryAfter;
        this.retryAfterMs = retryAfterMs;
        this.expectJson = expectJson;
        this.body = new BoundedBody(maxResponseBytes);
    }

    /** Zero or more times, with the next upstream bytes; past the size limit the exchange is abandoned. */
    void consume(ByteBuffer data) {
        if (!body.append(data)) {
            outcome.abandon(AttemptFailure.limit(ApiError.server(502, "upstream_response_too_large",
                    "The upstream response exceeded the gateway's size limit."), upstreamStatus));
        }
    }

    /** Once, when the body is complete and the outcome is not yet taken: answers the client or reports a failure. */
    void end() {
        byte[] upstreamBody = body.toByteArray();
        boolean success = upstreamStatus >= 200 && upstreamStatus < 300;
        if (!success) {
            outcome.finishOnce(new AttemptFailure(AttemptFailure.Stage.ERROR_STATUS,
                    UpstreamFailures.fromStatus(vendor, upstreamStatus, retryAfter, upstreamBody), null,
                    upstreamStatus, contentType, retryAfter, retryAfterMs, upstreamBody));
            return;
        }
        if (clientRequest.stream() || !expectJson) {
            outcome.finishOnce(AttemptFailure.invalid(ApiError.server(502, UpstreamFormatException.INVALID_RESPONSE,
                    "The upstream answered in a format the gateway does not understand."), upstreamStatus, null));
            return;
        }
        try {
            byte[] clientBody = vendor.toClientResponse(upstreamBody, clientRequest);
            UsageParser.read(clientBody, accessRecord);
            if (outcome.claim()) {
                outcome.commit();
                clientStream.respond(200, "application/json", Map.of(), clientBody);
            }
        } catch (UpstreamFormatException e) {
            outcome.finishOnce(AttemptFailure.invalid(e, upstreamStatus));
        }
    }
}
