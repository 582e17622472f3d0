package dev.switchboard.vendor.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.FixtureReplay;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicErrorsTest {
    private final AnthropicVendor vendor = new AnthropicVendor();

    @Test
    void invalidRequestKeepsTheVendorMessage() {
        ApiError error = vendor.toClientError(400,
                FixtureReplay.read("/fixtures/anthropic/anthropic-error-400.json"));

        assertEquals(400, error.status());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals("invalid_request_error", error.code());
        assertEquals("max_tokens: Field required", error.message());
        assertNull(error.param());
    }

    @ParameterizedTest
    @CsvSource({
        "529, overloaded_error, 503, server_error",
        "429, rate_limit_error, 429, rate_limit_error",
        "400, invalid_request_error, 400, invalid_request_error",
        "413, request_too_large, 400, invalid_request_error",
        "401, authentication_error, 401, authentication_error",
        "403, permission_error, 403, permission_error",
        "404, not_found_error, 404, invalid_request_error",
        "402, billing_error, 429, insufficient_quota",
        "500, api_error, 500, server_error",
        "504, timeout_error, 504, server_error",
        "418, teapot_error, 418, invalid_request_error",
        "502, brand_new_error, 502, server_error",
    })
    void errorTypeDecidesStatusAndType(int upstreamStatus, String anthropicType, int status, String type) {
        ApiError error = vendor.toClientError(upstreamStatus, body(anthropicType, "Something happened"));

        assertEquals(status, error.status());
        assertEquals(type, error.type());
        assertEquals("Something happened", error.message());
    }

    @Test
    void billingErrorIsInsufficientQuotaSoTheGatewayTreatsItAsExhaustedCredentials() {
        ApiError error = vendor.toClientError(402, body("billing_error", "Your credit balance is too low."));

        assertEquals("insufficient_quota", error.code());
    }

    @Test
    void htmlIsNeverRelayed() {
        ApiError error = vendor.toClientError(529,
                "<html><body>internal host 10.0.0.7</body></html>".getBytes(StandardCharsets.UTF_8));

        assertEquals(503, error.status());
        assertEquals(ApiError.SERVER_ERROR, error.type());
        assertFalse(error.message().contains("10.0.0.7"));
    }

    @Test
    void emptyAndWrongShapedBodiesFallBackToTheStatus() {
        for (String body : new String[] {"", "{}", "[1]", "{\"error\":\"text\"}", "{\"error\":{\"message\":\"m\"}}"}) {
            ApiError error = vendor.toClientError(413, body.getBytes(StandardCharsets.UTF_8));

            assertEquals(400, error.status(), body);
            assertEquals(ApiError.INVALID_REQUEST, error.type(), body);
            assertTrue(error.message().contains("413"), body);
        }
    }

    @Test
    void longMessagesAreCut() {
        ApiError error = vendor.toClientError(400, body("invalid_request_error", "x".repeat(10_000)));

        assertTrue(error.message().length() <= 2001, () -> "length " + error.message().length());
    }

    @Test
    void missingMessageSaysTheStatusAndType() {
        ApiError error = vendor.toClientError(500,
                "{\"type\":\"error\",\"error\":{\"type\":\"api_error\"}}".getBytes(StandardCharsets.UTF_8));

        assertEquals(500, error.status());
        assertTrue(error.message().contains("api_error"), error.message());
    }

    private static byte[] body(String type, String message) {
        return ("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message
                + "\"},\"request_id\":\"req_1\"}").getBytes(StandardCharsets.UTF_8);
    }
}
