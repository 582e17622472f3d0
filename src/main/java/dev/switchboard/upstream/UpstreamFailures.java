package dev.switchboard.upstream;

import dev.switchboard.config.RetryConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.Vendor;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * Classifies a failed upstream attempt into a {@link Failure} following the managed-mode table of RELIABILITY.md:
 * its {@link FailureKind} and what the caller is told. The messages name the class of failure, never an address, a
 * token or an upstream body that was not JSON. Stateless, thread-safe.
 */
public final class UpstreamFailures {

    private UpstreamFailures() {}

    /** A failure with no usable upstream response: connect, TLS, reset, timeout, pool. */
    public static Failure classify(Throwable cause) {
        if (cause instanceof DeadlineTimeoutException) {
            return Failure.of(FailureKind.POOL_EXHAUSTED, ApiError.server(503, "upstream_pool_exhausted",
                    "The gateway has no free connection to the upstream right now.").withHeader("Retry-After", "1"));
        }
        // Before InterruptedIOException: HttpClient's ConnectTimeoutException is one.
        if (cause instanceof ConnectTimeoutException) {
            return Failure.of(FailureKind.CONNECT_TIMEOUT,
                    ApiError.server(504, "upstream_connect_timeout", "Connecting to the upstream timed out."));
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof NoRouteToHostException) {
            return Failure.of(FailureKind.CONNECT_ERROR,
                    ApiError.server(502, "upstream_connect_error", "The upstream could not be reached."));
        }
        if (cause instanceof SSLException) {
            return Failure.of(FailureKind.TLS_ERROR,
                    ApiError.server(502, "upstream_tls_error", "The TLS handshake with the upstream failed."));
        }
        if (cause instanceof InterruptedIOException) {
            return firstByteTimeout();
        }
        // ConnectionClosedException, SocketException "Connection reset", plain IOException: the connection ended
        // before a response.
        return Failure.of(FailureKind.RESET,
                ApiError.server(502, "upstream_reset", "The upstream closed the connection before answering."));
    }

    /**
     * A complete non-2xx upstream response.
     *
     * @param retryAfter   the {@code Retry-After} header, or {@code null}
     * @param retryAfterMs the {@code retry-after-ms} header (OpenAI), or {@code null}
     * @param body         the (bounded) response body, any bytes
     * @param retry        the platform's cooldown bounds
     * @param clock        reads HTTP-date Retry-After values
     */
    public static Failure classify(Vendor vendor, int status, String retryAfter, String retryAfterMs, byte[] body,
            RetryConfig retry, Clock clock) {
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("not a failure status: " + status);
        }
        if (status < 400) {
            return Failure.of(FailureKind.REDIRECT, ApiError.server(502, "upstream_unexpected_redirect",
                    "The upstream answered with a redirect, which the gateway never follows."));
        }
        if (status == 401 || status == 403) {
            // The caller's own key is fine: it is the gateway's vendor credential that was refused (RELIABILITY.md).
            return Failure.of(FailureKind.CREDENTIALS_REJECTED, credentialsExhausted());
        }
        if (status == 402 || (status == 429 || status == 400) && ErrorBodySignals.quotaExhausted(body)) {
            return Failure.of(FailureKind.QUOTA_EXHAUSTED, credentialsExhausted());
        }
        ApiError vendorError = vendor.toClientError(status, body);
        if ("insufficient_quota".equals(vendorError.code()) || "insufficient_quota".equals(vendorError.type())) {
            return Failure.of(FailureKind.QUOTA_EXHAUSTED, credentialsExhausted());
        }
        if ("upstream_credentials_exhausted".equals(vendorError.code())) {
            // Gemini refuses a bad key with 400 API_KEY_INVALID; its vendor package already says so.
            return Failure.of(FailureKind.CREDENTIALS_REJECTED, credentialsExhausted());
        }
        if (status == 429) {
            Duration hint = RetryAfter.hint(retryAfter, retryAfterMs, clock);
            Duration cooldown = RetryAfter.cooldown(hint != null ? hint : ErrorBodySignals.retryDelay(body), retry);
            return new Failure(FailureKind.RATE_LIMITED, rateLimited(cooldown), cooldown);
        }
        if (status >= 500) {
            // The vendor's own reading decides among 500/502/503/504 (Anthropic's 529 "overloaded" is a 503);
            // anything else becomes 502, a status every OpenAI client retries.
            int vendorStatus = vendorError.status();
            int relayed = vendorStatus >= 500 && vendorStatus <= 504 && vendorStatus != 501 ? vendorStatus : 502;
            return Failure.of(FailureKind.SERVER_ERROR, new ApiError(relayed, ApiError.SERVER_ERROR, "upstream_error",
                    null, "The upstream failed (HTTP " + status + "): " + vendorError.message(), Map.of()));
        }
        return Failure.of(FailureKind.CLIENT_ERROR, vendorError);
    }

    /**
     * An attempt that failed before commit, as {@link UpstreamExchange} reported it. The exchange's own error is kept
     * as the client error where it is more precise than the kind's default (truncation, oversized events).
     */
    public static Failure classify(AttemptFailure failure, Vendor vendor, RetryConfig retry, Clock clock) {
        return switch (failure.stage()) {
            case CONNECTION -> classify(failure.cause());
            case FIRST_BYTE_TIMEOUT -> firstByteTimeout();
            case ERROR_STATUS -> classify(vendor, failure.status(), failure.retryAfter(), failure.retryAfterMs(),
                    failure.body(), retry, clock);
            // An error event where content should start (Anthropic's overloaded_error after its 200) is the
            // vendor failing, not a malformed answer: retried like a 5xx, not only once.
            case INVALID_RESPONSE -> Failure.of(failure.body().length > 0 ? FailureKind.SERVER_ERROR
                    : FailureKind.INVALID_RESPONSE, failure.error());
            case GATEWAY_LIMIT -> Failure.of(FailureKind.RESPONSE_TOO_LARGE, failure.error());
        };
    }

    /** No response headers within {@code firstByteMs}. */
    public static Failure firstByteTimeout() {
        return Failure.of(FailureKind.FIRST_BYTE_TIMEOUT,
                ApiError.server(504, "upstream_timeout", "The upstream did not answer in time."));
    }

    /** A 2xx the gateway cannot use before commit: HTML, non-JSON, a stream whose start is broken or cut. */
    public static Failure invalidResponse(UpstreamFormatException cause) {
        return Failure.of(FailureKind.INVALID_RESPONSE,
                ApiError.server(502, UpstreamFormatException.INVALID_RESPONSE, cause.getMessage()));
    }

    /** A 2xx whose body is not what the request asked for (HTML, another media type). */
    public static Failure invalidResponse() {
        return Failure.of(FailureKind.INVALID_RESPONSE, ApiError.server(502, UpstreamFormatException.INVALID_RESPONSE,
                "The upstream answered in a format the gateway does not understand."));
    }

    /** A non-streaming body over {@code maxResponseBytes}. */
    public static Failure responseTooLarge() {
        return Failure.of(FailureKind.RESPONSE_TOO_LARGE, ApiError.server(502, "upstream_response_too_large",
                "The upstream response is larger than the gateway accepts."));
    }

    /** The caller left: nothing to send. */
    public static Failure clientGone() {
        return new Failure(FailureKind.CLIENT_GONE, null, null);
    }

    /** The 429 a caller gets when every usable token is cooling down; {@code retryAfter} becomes whole seconds. */
    public static ApiError rateLimited(Duration retryAfter) {
        return new ApiError(429, ApiError.RATE_LIMIT, "rate_limit_exceeded", null,
                "The upstream is rate limiting requests; retry later.", Map.of())
                .withHeader("Retry-After", RetryAfter.headerValue(retryAfter));
    }

    /** Every token of the platform was refused or is out of quota. */
    public static ApiError credentialsExhausted() {
        return ApiError.server(502, "upstream_credentials_exhausted",
                "The gateway's credentials for this platform were refused by the upstream.");
    }

    /** The caller's error for an exception; {@link #classify(Throwable)} without the kind. */
    public static ApiError fromException(Throwable cause) {
        return classify(cause).clientError();
    }

    /** The caller's error for a complete non-2xx response, with default cooldown bounds and the system clock. */
    public static ApiError fromStatus(Vendor vendor, int status, String retryAfter, byte[] body) {
        return classify(vendor, status, retryAfter, null, body, RetryConfig.DEFAULTS, Clock.systemUTC()).clientError();
    }
}
