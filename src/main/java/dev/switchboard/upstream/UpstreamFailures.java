package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.Vendor;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * What the caller is told when an upstream attempt fails, following the managed-mode table of RELIABILITY.md. The
 * messages name the class of failure, never an address, a token or an upstream body that was not JSON.
 */
public final class UpstreamFailures {
    private static final Pattern DELAY_SECONDS = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    private UpstreamFailures() {}

    /** A failure with no usable upstream response: connect, TLS, reset, timeout, pool. */
    public static ApiError fromException(Throwable cause) {
        if (cause instanceof DeadlineTimeoutException) {
            return ApiError.server(503, "upstream_pool_exhausted",
                    "The gateway has no free connection to the upstream right now.").withHeader("Retry-After", "1");
        }
        if (cause instanceof ConnectTimeoutException) {
            return ApiError.server(504, "upstream_connect_timeout", "Connecting to the upstream timed out.");
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof NoRouteToHostException) {
            return ApiError.server(502, "upstream_connect_error", "The upstream could not be reached.");
        }
        if (cause instanceof SSLException) {
            return ApiError.server(502, "upstream_tls_error", "The TLS handshake with the upstream failed.");
        }
        if (cause instanceof InterruptedIOException) {
            return ApiError.server(504, "upstream_timeout", "The upstream did not answer in time.");
        }
        return ApiError.server(502, "upstream_reset", "The upstream closed the connection before answering.");
    }

    /** A complete non-2xx upstream response. */
    public static ApiError fromStatus(Vendor vendor, int status, String retryAfter, byte[] body) {
        if (status >= 300 && status < 400) {
            return ApiError.server(502, "upstream_unexpected_redirect",
                    "The upstream answered with a redirect, which the gateway never follows.");
        }
        if (status == 401 || status == 402 || status == 403) {
            // The caller's own key is fine: it is the gateway's vendor credential that was refused (RELIABILITY.md).
            return credentialsExhausted();
        }
        ApiError vendorError = vendor.toClientError(status, body);
        if (status == 429) {
            if ("insufficient_quota".equals(vendorError.code())) {
                return credentialsExhausted();
            }
            ApiError limited = new ApiError(429, ApiError.RATE_LIMIT, "rate_limit_exceeded", null,
                    "The upstream is rate limiting requests; retry later.", Map.of());
            return limited.withHeader("Retry-After", clampRetryAfter(retryAfter));
        }
        if (status >= 500) {
            // The vendor's own reading decides among 500/502/503/504 (Anthropic's 529 "overloaded" is a 503);
            // anything else becomes 502, a status every OpenAI client retries.
            int vendorStatus = vendorError.status();
            int relayed = vendorStatus >= 500 && vendorStatus <= 504 && vendorStatus != 501 ? vendorStatus : 502;
            return new ApiError(relayed, ApiError.SERVER_ERROR, "upstream_error", null,
                    "The upstream failed (HTTP " + status + "): " + vendorError.message(), Map.of());
        }
        return vendorError;
    }

    private static ApiError credentialsExhausted() {
        return ApiError.server(502, "upstream_credentials_exhausted",
                "The gateway's credentials for this platform were refused by the upstream.");
    }

    /** Seconds, clamped to 1–60 (RELIABILITY.md); an HTTP date or garbage becomes the 5-second default. */
    static String clampRetryAfter(String retryAfter) {
        long seconds = 5;
        // Checked first because Double.parseDouble also takes "NaN", "-5", "10d" and hex floats (RFC 9110 §10.2.3
        // allows digits only; a fraction is tolerated).
        if (retryAfter != null && DELAY_SECONDS.matcher(retryAfter.trim()).matches()) {
            seconds = Math.max(1, Math.min(60, (long) Math.ceil(Double.parseDouble(retryAfter.trim()))));
        }
        return Long.toString(seconds);
    }
}
