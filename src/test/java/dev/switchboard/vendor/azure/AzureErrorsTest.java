package dev.switchboard.vendor.azure;

import static dev.switchboard.vendor.FixtureReplay.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.OpenApiSchemas;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AzureErrorsTest {
    private final AzureOpenAiVendor vendor = new AzureOpenAiVendor();

    @Test
    void blockedPromptKeepsStatusCodeParamAndMessage() {
        ApiError error = vendor.toClientError(400, read("/fixtures/azure-openai/azure-error-400-content-filter.json"));

        assertEquals(400, error.status());
        assertEquals("content_filter", error.code());
        assertEquals("prompt", error.param());
        assertEquals(ApiError.INVALID_REQUEST, error.type(), "Azure sends type null");
        assertTrue(error.message().startsWith("The response was filtered due to the prompt triggering Azure OpenAI's"),
                error.message());
        String clientBody = new String(error.toJson(), StandardCharsets.UTF_8);
        assertFalse(clientBody.contains("innererror"), clientBody);
        OpenApiSchemas.assertValid("ErrorResponse", clientBody);
    }

    @Test
    void missingDeploymentIsRelayedWithAzuresCode() {
        ApiError error = vendor.toClientError(404, utf8("{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":"
                + "\"The API deployment for this resource does not exist.\"}}"));

        assertEquals(404, error.status());
        assertEquals("DeploymentNotFound", error.code());
        assertEquals("The API deployment for this resource does not exist.", error.message());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
    }

    @Test
    void rateLimitKeepsItsStatus() {
        ApiError error = vendor.toClientError(429, utf8("{\"error\":{\"code\":\"429\",\"message\":\"Requests to the"
                + " ChatCompletions_Create Operation have exceeded token rate limit.\"}}"));

        assertEquals(429, error.status());
        assertEquals("429", error.code());
    }

    @Test
    void htmlFromAFrontDoorGetsAGenericMessage() {
        ApiError error = vendor.toClientError(502, utf8("<html><body>Bad Gateway 10.0.0.7</body></html>"));

        assertEquals(502, error.status());
        assertEquals(ApiError.SERVER_ERROR, error.type());
        assertEquals("The upstream returned HTTP 502.", error.message());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
