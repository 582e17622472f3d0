package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.openai.OpenAiVendor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.util.Deadline;
import org.apache.hc.core5.util.DeadlineTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamFailuresTest {
    /** Words that must never reach a caller: they stand for addresses and internals in exception messages. */
    private static final String INTERNAL = "10.1.2.3:8443 internal-proxy.corp sk-upstream-token";
    private static final byte[] HTML = utf8("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>"
            + "<p>nginx/1.25.3 at internal-proxy.corp (10.1.2.3)</p></body></html>");
    private static final byte[] OPENAI_400 = utf8("""
            {"error":{"message":"Invalid value for 'temperature': expected a number between 0 and 2.",
            "type":"invalid_request_error","param":"temperature","code":"invalid_value"}}""");

    private final OpenAiVendor vendor = new OpenAiVendor();

    // --- failures without an upstream response

    static Stream<Arguments> exceptions() {
        return Stream.of(
                Arguments.of(DeadlineTimeoutException.from(Deadline.fromUnixMilliseconds(0)), 503,
                        "upstream_pool_exhausted"),
                Arguments.of(new ConnectTimeoutException(INTERNAL), 504, "upstream_connect_timeout"),
                Arguments.of(new ConnectException(INTERNAL), 502, "upstream_connect_error"),
                Arguments.of(new UnknownHostException(INTERNAL), 502, "upstream_connect_error"),
                Arguments.of(new NoRouteToHostException(INTERNAL), 502, "upstream_connect_error"),
                Arguments.of(new SSLHandshakeException(INTERNAL), 502, "upstream_tls_error"),
                Arguments.of(new SocketTimeoutException(INTERNAL), 504, "upstream_timeout"),
                Arguments.of(new ConnectionClosedException(INTERNAL), 502, "upstream_reset"),
                Arguments.of(new IOException(INTERNAL), 502, "upstream_reset"));
    }

    @ParameterizedTest
    @MethodSource("exceptions")
    void exceptionBecomesStatusAndCode(Throwable cause, int status, String code) {
        ApiError error = UpstreamFailures.fromException(cause);

        assertEquals(status, error.status());
        assertEquals(code, error.code());
        assertEquals(ApiError.SERVER_ERROR, error.type());
        assertNull(error.param());
        assertHidesInternals(error);
    }

    @Test
    void poolExhaustionSaysWhenToRetry() {
        ApiError error = UpstreamFailures.fromException(DeadlineTimeoutException.from(Deadline.fromUnixMilliseconds(0)));

        assertEquals("1", error.headers().get("Retry-After"));
    }

    @Test
    void connectFailureHasNoRetryAfter() {
        assertEquals(Map.of(), UpstreamFailures.fromException(new ConnectException(INTERNAL)).headers());
    }

    // --- complete non-2xx responses

    @ParameterizedTest
    @ValueSource(ints = {300, 301, 302, 303, 307, 308})
    void redirectIsNeverFollowedNorRelayed(int status) {
        ApiError error = UpstreamFailures.fromStatus(vendor, status, null, HTML);

        assertEquals(502, error.status());
        assertEquals("upstream_unexpected_redirect", error.code());
        assertHidesInternals(error);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 402, 403})
    void refusedVendorCredentialIsNeverTheCallersFault(int status) {
        byte[] body = utf8("{\"error\":{\"message\":\"Incorrect API key provided: sk-upstream-token\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");

        ApiError error = UpstreamFailures.fromStatus(vendor, status, null, body);

        assertEquals(502, error.status());
        assertEquals("upstream_credentials_exhausted", error.code());
        assertEquals(ApiError.SERVER_ERROR, error.type());
        assertHidesInternals(error);
    }

    @Test
    void rateLimitWithoutRetryAfterDefaultsToFiveSeconds() {
        ApiError error = UpstreamFailures.fromStatus(vendor, 429, null, utf8("{\"error\":{\"message\":\"slow down\","
                + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}"));

        assertEquals(429, error.status());
        assertEquals(ApiError.RATE_LIMIT, error.type());
        assertEquals("rate_limit_exceeded", error.code());
        assertEquals(Map.of("Retry-After", "5"), error.headers());
    }

    @ParameterizedTest
    @CsvSource({
        "1, 1",
        "30, 30",
        "60, 60",
        "61, 60",
        "120, 60",
        "100000000000000000000000000000, 60",
        "0, 1",
        "0.2, 1",
        "2.5, 3",
        "' 7 ', 7",
        "'Wed, 21 Oct 2015 07:28:00 GMT', 5",
        "soon, 5",
        "'', 5",
    })
    void rateLimitRetryAfterIsClamped(String retryAfter, String expected) {
        ApiError error = UpstreamFailures.fromStatus(vendor, 429, retryAfter, HTML);

        assertEquals(429, error.status());
        assertEquals(Map.of("Retry-After", expected), error.headers());
        assertHidesInternals(error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-5", "-0.5", "10d", "2f", "0x1p3", "1e1", "5 s"})
    void retryAfterThatIsNotANumberOfSecondsGetsTheDefault(String retryAfter) {
        // Double.parseDouble accepts all of these; RFC 9110 §10.2.3 allows only digits (decimals are tolerated).
        ApiError error = UpstreamFailures.fromStatus(vendor, 429, retryAfter, HTML);

        assertEquals(Map.of("Retry-After", "5"), error.headers());
    }

    @Test
    void quotaExhaustedIsACredentialProblem() {
        ApiError error = UpstreamFailures.fromStatus(vendor, 429, "20",
                utf8("{\"error\":{\"code\":\"insufficient_quota\"}}"));

        assertEquals(502, error.status());
        assertEquals("upstream_credentials_exhausted", error.code());
        assertFalse(error.headers().containsKey("Retry-After"));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 413, 422})
    void clientMistakesRelayTheVendorsError(int status) {
        ApiError error = UpstreamFailures.fromStatus(vendor, status, null, OPENAI_400);

        assertEquals(status, error.status());
        assertEquals("Invalid value for 'temperature': expected a number between 0 and 2.", error.message());
        assertEquals("invalid_request_error", error.type());
        assertEquals("temperature", error.param());
        assertEquals("invalid_value", error.code());
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void serverErrorsKeepTheirStatus(int status) {
        ApiError error = UpstreamFailures.fromStatus(vendor, status, null, utf8("{\"error\":{\"message\":"
                + "\"The server had an error while processing your request.\",\"type\":\"server_error\"}}"));

        assertEquals(status, error.status());
        assertEquals(ApiError.SERVER_ERROR, error.type());
        assertEquals("upstream_error", error.code());
        assertTrue(error.message().contains("The server had an error while processing your request."),
                error.message());
    }

    @Test
    void anthropicOverloadedIsAServiceUnavailableTheClientsRetry() {
        ApiError error = UpstreamFailures.fromStatus(new dev.switchboard.vendor.anthropic.AnthropicVendor(), 529, null,
                utf8("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));

        assertEquals(503, error.status());
        assertEquals("upstream_error", error.code());
        assertTrue(error.message().contains("Overloaded"), error.message());
    }

    @ParameterizedTest
    @ValueSource(ints = {501, 505, 520, 529, 599})
    void unusualServerErrorsBecomeBadGateway(int status) {
        ApiError error = UpstreamFailures.fromStatus(vendor, status, null, utf8("{\"error\":{\"message\":\"busy\"}}"));

        assertEquals(502, error.status());
        assertEquals("upstream_error", error.code());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 422, 429, 500, 502, 503, 504, 529})
    void nonJsonBodyIsNeverRelayed(int status) {
        ApiError error = UpstreamFailures.fromStatus(vendor, status, "3", HTML);

        assertHidesInternals(error);
        assertFalse(error.message().isBlank());
    }

    @Test
    void htmlOnServerErrorGetsAGenericMessage() {
        ApiError error = UpstreamFailures.fromStatus(vendor, 500, null, HTML);

        assertEquals(500, error.status());
        assertEquals("upstream_error", error.code());
        assertTrue(error.message().contains("500"), error.message());
        assertHidesInternals(error);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "null", "[]", "\"oops\"", "{\"detail\":\"internal-proxy.corp\"}", "{\"error\":\"sk-upstream-token\"}"})
    void jsonWithoutAnErrorObjectIsNotRelayed(String body) {
        byte[] bytes = body == null ? new byte[0] : utf8(body);

        ApiError error = UpstreamFailures.fromStatus(vendor, 503, null, bytes);

        assertEquals(503, error.status());
        assertHidesInternals(error);
    }

    private static void assertHidesInternals(ApiError error) {
        String everything = error.message() + " " + error.type() + " " + error.code() + " " + error.param()
                + " " + error.headers();
        for (String secret : new String[] {"10.1.2.3", "internal-proxy", "sk-upstream-token", "<", "html", "nginx"}) {
            assertFalse(everything.contains(secret), () -> "'" + secret + "' leaked into " + everything);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
