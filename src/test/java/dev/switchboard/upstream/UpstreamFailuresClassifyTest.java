package dev.switchboard.upstream;

import static dev.switchboard.upstream.ErrorBodySignalsTest.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.RetryConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.upstream.FailureKind.TokenEffect;
import dev.switchboard.vendor.Vendor;
import dev.switchboard.vendor.anthropic.AnthropicVendor;
import dev.switchboard.vendor.gemini.GeminiVendor;
import dev.switchboard.vendor.openai.OpenAiVendor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.util.Deadline;
import org.apache.hc.core5.util.DeadlineTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The kind and cooldown of each classified failure: RELIABILITY.md's managed-mode table, row by row. */
class UpstreamFailuresClassifyTest {
    private static final byte[] HTML = utf8("<html><body>502 Bad Gateway</body></html>");
    private final MutableClock clock = new MutableClock(Instant.parse("2015-10-21T07:28:00Z"));
    private final OpenAiVendor openai = new OpenAiVendor();

    static Stream<Arguments> exceptions() {
        return Stream.of(
                Arguments.of(new ConnectException("refused"), FailureKind.CONNECT_ERROR),
                Arguments.of(new UnknownHostException("nowhere"), FailureKind.CONNECT_ERROR),
                Arguments.of(new ConnectTimeoutException("slow"), FailureKind.CONNECT_TIMEOUT),
                Arguments.of(new SSLHandshakeException("bad cert"), FailureKind.TLS_ERROR),
                Arguments.of(new SocketTimeoutException("read"), FailureKind.FIRST_BYTE_TIMEOUT),
                Arguments.of(new ConnectionClosedException("eof"), FailureKind.RESET),
                Arguments.of(new SocketException("Connection reset"), FailureKind.RESET),
                Arguments.of(new IOException("?"), FailureKind.RESET),
                Arguments.of(DeadlineTimeoutException.from(Deadline.fromUnixMilliseconds(0)),
                        FailureKind.POOL_EXHAUSTED));
    }

    @ParameterizedTest
    @MethodSource("exceptions")
    void exceptionKinds(Throwable cause, FailureKind kind) {
        Failure failure = UpstreamFailures.classify(cause);

        assertEquals(kind, failure.kind());
        assertNull(failure.cooldown());
        assertEquals(UpstreamFailures.fromException(cause), failure.clientError());
    }

    @Test
    void statusKinds() {
        assertEquals(FailureKind.REDIRECT, kind(openai, 302, HTML));
        assertEquals(FailureKind.CREDENTIALS_REJECTED, kind(openai, 401, HTML));
        assertEquals(FailureKind.CREDENTIALS_REJECTED, kind(openai, 403, HTML));
        assertEquals(FailureKind.QUOTA_EXHAUSTED, kind(openai, 402, HTML));
        assertEquals(FailureKind.QUOTA_EXHAUSTED, kind(openai, 429, utf8("{\"error\":{\"code\":\"insufficient_quota\"}}")));
        assertEquals(FailureKind.RATE_LIMITED, kind(openai, 429, HTML));
        assertEquals(FailureKind.SERVER_ERROR, kind(openai, 500, HTML));
        assertEquals(FailureKind.SERVER_ERROR, kind(openai, 529, HTML));
        assertEquals(FailureKind.CLIENT_ERROR, kind(openai, 400, HTML));
        assertEquals(FailureKind.CLIENT_ERROR, kind(openai, 408, HTML));
        assertEquals(FailureKind.CLIENT_ERROR, kind(openai, 422, HTML));
    }

    @Test
    void anthropicBillingIsQuota() {
        byte[] billing = utf8("{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"low credit\"}}");
        assertEquals(FailureKind.QUOTA_EXHAUSTED, kind(new AnthropicVendor(), 402, billing));
        assertEquals(FailureKind.QUOTA_EXHAUSTED, kind(new AnthropicVendor(), 400, billing));
        assertEquals(FailureKind.RATE_LIMITED, kind(new AnthropicVendor(), 429,
                utf8("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}")));
    }

    @Test
    void geminiBadKeyQuotaAndRateLimit() {
        GeminiVendor gemini = new GeminiVendor();
        assertEquals(FailureKind.CREDENTIALS_REJECTED, kind(gemini, 400, utf8("{\"error\":{\"code\":400,\"message\":"
                + "\"API key not valid.\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}")));
        assertEquals(FailureKind.QUOTA_EXHAUSTED, kind(gemini, 429, utf8(ErrorBodySignalsTest.GEMINI_PER_DAY)));

        Failure perMinute = classify(gemini, 429, null, null, utf8(ErrorBodySignalsTest.GEMINI_PER_MINUTE));
        assertEquals(FailureKind.RATE_LIMITED, perMinute.kind());
        assertEquals(Duration.ofSeconds(34), perMinute.cooldown(), "RetryInfo.retryDelay when no header says");
        assertEquals(Duration.ofSeconds(3),
                classify(gemini, 429, "3", null, utf8(ErrorBodySignalsTest.GEMINI_PER_MINUTE)).cooldown());
    }

    @Test
    void rateLimitCooldownComesFromTheHeadersClampedAndTheErrorSaysWhen() {
        Failure failure = classify(openai, 429, "30", "1500", HTML);
        assertEquals(Duration.ofMillis(1500), failure.cooldown());
        assertEquals("2", failure.clientError().headers().get("Retry-After"));
        assertEquals("rate_limit_exceeded", failure.clientError().code());

        assertEquals(Duration.ofSeconds(42), classify(openai, 429, "Wed, 21 Oct 2015 07:28:42 GMT", null, HTML)
                .cooldown());
        assertEquals(Duration.ofSeconds(60), classify(openai, 429, "3600", null, HTML).cooldown());
        assertEquals(Duration.ofSeconds(1), classify(openai, 429, "0", null, HTML).cooldown());
        assertEquals(Duration.ofSeconds(5), classify(openai, 429, null, null, HTML).cooldown());
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 200, 204, 299, 600})
    void successOrNonsenseIsNotAFailure(int status) {
        assertThrows(IllegalArgumentException.class, () -> classify(openai, status, null, null, HTML));
    }

    @Test
    void factories() {
        assertEquals(FailureKind.FIRST_BYTE_TIMEOUT, UpstreamFailures.firstByteTimeout().kind());
        assertEquals(504, UpstreamFailures.firstByteTimeout().clientError().status());
        assertEquals("upstream_invalid_response", UpstreamFailures.invalidResponse().clientError().code());
        assertEquals("upstream_invalid_response", UpstreamFailures.invalidResponse(
                new dev.switchboard.vendor.UpstreamFormatException("upstream_stream_truncated", "cut"))
                .clientError().code());
        assertEquals(FailureKind.RESPONSE_TOO_LARGE, UpstreamFailures.responseTooLarge().kind());
        assertNull(UpstreamFailures.clientGone().clientError());
        ApiError limited = UpstreamFailures.rateLimited(Duration.ofMillis(2300));
        assertEquals(429, limited.status());
        assertEquals("3", limited.headers().get("Retry-After"));
    }

    @Test
    void failureInvariants() {
        ApiError error = UpstreamFailures.credentialsExhausted();
        assertThrows(IllegalArgumentException.class, () -> new Failure(FailureKind.RATE_LIMITED, error, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Failure(FailureKind.SERVER_ERROR, error, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Failure.of(FailureKind.SERVER_ERROR, null));
    }

    /** The table's retry / token columns, so a change to the enum is a deliberate one. */
    @Test
    void kindsFollowTheTable() {
        for (FailureKind kind : FailureKind.values()) {
            boolean transientFault = switch (kind) {
                case CONNECT_ERROR, CONNECT_TIMEOUT, RESET, FIRST_BYTE_TIMEOUT, SERVER_ERROR, INVALID_RESPONSE -> true;
                default -> false;
            };
            assertEquals(transientFault, kind.tokenEffect() == TokenEffect.COUNTS_TOWARD_EJECTION, kind.name());
        }
        assertTrue(FailureKind.RATE_LIMITED.retryable());
        assertFalse(FailureKind.RATE_LIMITED.backoff(), "429: another token at once");
        assertEquals(TokenEffect.COOLDOWN, FailureKind.RATE_LIMITED.tokenEffect());
        assertEquals(TokenEffect.DISABLE, FailureKind.QUOTA_EXHAUSTED.tokenEffect());
        assertEquals(TokenEffect.DISABLE, FailureKind.CREDENTIALS_REJECTED.tokenEffect());
        assertTrue(FailureKind.SERVER_ERROR.backoff());
        assertTrue(FailureKind.CONNECT_ERROR.backoff());
        assertTrue(FailureKind.INVALID_RESPONSE.retriedOnce());
        for (FailureKind never : new FailureKind[] {FailureKind.CLIENT_ERROR, FailureKind.REDIRECT,
                FailureKind.TLS_ERROR, FailureKind.CLIENT_GONE, FailureKind.POOL_EXHAUSTED}) {
            assertFalse(never.retryable(), never.name());
        }
        assertFalse(FailureKind.CLIENT_ERROR.failsOver());
        assertFalse(FailureKind.CLIENT_GONE.failsOver());
        assertTrue(FailureKind.TLS_ERROR.failsOver(), "another platform is another endpoint");
    }

    private FailureKind kind(Vendor vendor, int status, byte[] body) {
        return classify(vendor, status, null, null, body).kind();
    }

    private Failure classify(Vendor vendor, int status, String retryAfter, String retryAfterMs, byte[] body) {
        return UpstreamFailures.classify(vendor, status, retryAfter, retryAfterMs, body, RetryConfig.DEFAULTS, clock);
    }
}
