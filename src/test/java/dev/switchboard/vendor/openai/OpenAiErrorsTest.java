package dev.switchboard.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.openai.ApiError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiErrorsTest {
    private final OpenAiVendor vendor = new OpenAiVendor();

    @Test
    void jsonErrorIsRelayedFieldForField() {
        ApiError error = vendor.toClientError(400, utf8("""
                {
                  "error": {
                    "message": "Invalid value for 'temperature': expected a number between 0 and 2.",
                    "type": "invalid_request_error",
                    "param": "temperature",
                    "code": "invalid_value"
                  }
                }
                """));

        assertEquals(400, error.status());
        assertEquals("Invalid value for 'temperature': expected a number between 0 and 2.", error.message());
        assertEquals("invalid_request_error", error.type());
        assertEquals("temperature", error.param());
        assertEquals("invalid_value", error.code());
    }

    @Test
    void missingFieldsGetDefaultsByStatus() {
        ApiError clientSide = vendor.toClientError(404, utf8("{\"error\":{\"message\":\"no such model\"}}"));
        ApiError serverSide = vendor.toClientError(503, utf8("{\"error\":{\"message\":\"overloaded\",\"code\":null}}"));

        assertEquals(ApiError.INVALID_REQUEST, clientSide.type());
        assertEquals("upstream_error", clientSide.code());
        assertNull(clientSide.param());
        assertEquals("no such model", clientSide.message());
        assertEquals(ApiError.SERVER_ERROR, serverSide.type());
        assertEquals("upstream_error", serverSide.code());
    }

    @Test
    void errorWithoutMessageGetsAGenericOne() {
        ApiError error = vendor.toClientError(429, utf8("{\"error\":{\"code\":\"insufficient_quota\"}}"));

        assertEquals("insufficient_quota", error.code());
        assertEquals("The upstream returned HTTP 429.", error.message());
    }

    @Test
    void blankTypeAndCodeGetDefaults() {
        ApiError error = vendor.toClientError(400, utf8("{\"error\":{\"message\":\"m\",\"type\":\" \",\"code\":\"\"}}"));

        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals("upstream_error", error.code());
    }

    @Test
    void numericCodeIsRelayedAsText() {
        // Some OpenAI-compatible vendors send numeric codes; OpenAI's shape has a string.
        ApiError error = vendor.toClientError(400, utf8("{\"error\":{\"message\":\"m\",\"code\":1214}}"));

        assertEquals("1214", error.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<html><head><title>502 Bad Gateway</title></head><body>nginx at 10.0.0.7</body></html>",
        "upstream connect error or disconnect/reset before headers. reset reason: connection failure, 10.0.0.7:443",
        "",
        "   ",
        "{\"error\":\"internal 10.0.0.7\"}",
        "{\"detail\":\"internal 10.0.0.7\"}",
        "[{\"error\":{\"message\":\"internal 10.0.0.7\"}}]",
        "{\"error\":{\"message\":\"internal 10.0.0.7\"",
    })
    void bodyWithoutAnErrorObjectGetsAGenericMessage(String body) {
        ApiError error = vendor.toClientError(502, utf8(body));

        assertEquals(502, error.status());
        assertEquals(ApiError.SERVER_ERROR, error.type());
        assertEquals("upstream_error", error.code());
        assertEquals("The upstream returned HTTP 502.", error.message());
        assertNull(error.param());
    }

    @Test
    void invalidUtf8GetsAGenericMessage() {
        byte[] body = {(byte) 0xFF, (byte) 0xFE, '<', 0, 'h', 0};

        assertEquals("The upstream returned HTTP 500.", vendor.toClientError(500, body).message());
    }

    @Test
    void messageIsTruncatedAt2000Characters() {
        String message = "a".repeat(1999) + "bcdef";

        ApiError error = vendor.toClientError(400, utf8("{\"error\":{\"message\":\"" + message + "\"}}"));

        assertEquals("a".repeat(1999) + "b…", error.message());
    }

    @Test
    void messageOf2000CharactersIsKept() {
        String message = "x".repeat(2000);

        assertEquals(message, vendor.toClientError(400, utf8("{\"error\":{\"message\":\"" + message + "\"}}")).message());
    }

    @Test
    void relayedErrorCarriesNoHeaders() {
        assertTrue(vendor.toClientError(400, utf8("{\"error\":{\"message\":\"m\"}}")).headers().isEmpty());
        assertFalse(vendor.toClientError(400, utf8("<html>")).headers().containsKey("Retry-After"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
