package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.UpstreamFormatException;

/**
 * How one upstream attempt failed before anything reached the client, with the raw facts the owner needs: the retry
 * loop classifies them (token health, retry or not), the pass-through relay forwards an upstream error verbatim.
 *
 * @param stage        where the attempt stopped
 * @param error        what the client would be told if nothing else is tried (OpenAI-shaped, mapped by
 *                     {@link UpstreamFailures})
 * @param cause        the exception for {@link Stage#CONNECTION}, else {@code null}; never shown to a client
 * @param status       the upstream's HTTP status, or 0 when there was no response
 * @param contentType  the upstream's {@code Content-Type} as sent, or {@code null}
 * @param retryAfter   the upstream's {@code Retry-After} as sent, or {@code null}
 * @param retryAfterMs the upstream's {@code retry-after-ms} (OpenAI, Azure) as sent, or {@code null}
 * @param body         the upstream's body bytes for {@link Stage#ERROR_STATUS} (whole, bounded), the error event's
 *                     data for an error event at the start of a stream, else empty
 */
public record AttemptFailure(Stage stage, ApiError error, Throwable cause, int status, String contentType,
        String retryAfter, String retryAfterMs, byte[] body) {

    /** Where an attempt stopped. */
    public enum Stage {
        /** No usable response: connect refused or timed out, TLS, reset or EOF (also mid-body of a whole response). */
        CONNECTION,
        /** The upstream sent no response headers within the first-byte timeout. */
        FIRST_BYTE_TIMEOUT,
        /** A complete non-2xx response (3xx included: redirects are never followed). */
        ERROR_STATUS,
        /** A 2xx the gateway cannot use: not JSON/SSE, broken SSE, or an error event before any content. */
        INVALID_RESPONSE,
        /** One of the gateway's own limits ended the attempt (response too large, maximum duration). */
        GATEWAY_LIMIT
    }

    private static final byte[] NO_BODY = new byte[0];

    public AttemptFailure {
        body = body == null ? NO_BODY : body;
    }

    static AttemptFailure connection(ApiError error, Throwable cause) {
        return new AttemptFailure(Stage.CONNECTION, error, cause, 0, null, null, null, null);
    }

    static AttemptFailure firstByteTimeout(ApiError error) {
        return new AttemptFailure(Stage.FIRST_BYTE_TIMEOUT, error, null, 0, null, null, null, null);
    }

    static AttemptFailure invalid(ApiError error, int status, byte[] body) {
        return new AttemptFailure(Stage.INVALID_RESPONSE, error, null, status, null, null, null, body);
    }

    /** A 2xx the vendor's code could not read; the exception's code and message are what the client would see. */
    static AttemptFailure invalid(UpstreamFormatException e, int status) {
        return invalid(ApiError.server(502, e.code(), e.getMessage()), status, null);
    }

    static AttemptFailure limit(ApiError error, int status) {
        return new AttemptFailure(Stage.GATEWAY_LIMIT, error, null, status, null, null, null, null);
    }

    /** True when there is an upstream response to relay (pass-through mode relays it verbatim). */
    public boolean hasUpstreamResponse() {
        return stage == Stage.ERROR_STATUS;
    }
}
