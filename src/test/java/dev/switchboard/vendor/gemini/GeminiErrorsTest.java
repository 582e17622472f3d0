package dev.switchboard.vendor.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.FixtureReplay;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeminiErrorsTest {
    private final GeminiVendor vendor = new GeminiVendor();

    @ParameterizedTest
    @CsvSource({
        "400, INVALID_ARGUMENT, 400, invalid_request_error",
        "400, FAILED_PRECONDITION, 400, invalid_request_error",
        "429, RESOURCE_EXHAUSTED, 429, rate_limit_error",
        "503, UNAVAILABLE, 503, server_error",
        "403, PERMISSION_DENIED, 403, invalid_request_error",
        "401, UNAUTHENTICATED, 401, authentication_error",
        "404, NOT_FOUND, 404, invalid_request_error",
        "500, INTERNAL, 500, server_error",
        "504, DEADLINE_EXCEEDED, 504, server_error",
    })
    void googleStatusDecides(int httpStatus, String googleStatus, int expectedStatus, String expectedType) {
        String body = "{\"error\":{\"code\":" + httpStatus + ",\"message\":\"Upstream says no.\",\"status\":\""
                + googleStatus + "\"}}";
        ApiError error = vendor.toClientError(httpStatus, body.getBytes(StandardCharsets.UTF_8));
        assertEquals(expectedStatus, error.status());
        assertEquals(expectedType, error.type());
        assertEquals("Upstream says no.", error.message());
    }

    @Test
    void invalidArgumentKeepsGooglesMessage() {
        ApiError error = vendor.toClientError(400, ("{\"error\":{\"code\":400,\"message\":\"* GenerateContentRequest."
                + "contents: contents is not specified\",\"status\":\"INVALID_ARGUMENT\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(400, error.status());
        assertEquals("invalid_argument", error.code());
        assertEquals("* GenerateContentRequest.contents: contents is not specified", error.message());
    }

    @Test
    void invalidKeyIsTheGatewaysCredentialNotTheCallersRequest() {
        ApiError error = vendor.toClientError(400, FixtureReplay.read("/fixtures/gemini/gemini-error-400.json"));
        assertEquals(502, error.status());
        assertEquals("upstream_credentials_exhausted", error.code());
        assertFalse(error.message().contains("API key"));
    }

    @Test
    void bodiesThatAreNotGoogleErrorsAreNotRelayed() {
        ApiError html = vendor.toClientError(502, "<html>bad gateway at 10.0.0.7</html>".getBytes(StandardCharsets.UTF_8));
        assertEquals(502, html.status());
        assertEquals(ApiError.SERVER_ERROR, html.type());
        assertFalse(html.message().contains("10.0.0.7"));

        ApiError noStatus = vendor.toClientError(400, "{\"error\":{\"message\":\"odd\"}}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, noStatus.status());
        assertEquals(ApiError.INVALID_REQUEST, noStatus.type());
        assertEquals("odd", noStatus.message());
    }
}
