package dev.switchboard.vendor.azure;

import static dev.switchboard.vendor.FixtureReplay.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.openai.OpenApiSchemas;
import dev.switchboard.vendor.UpstreamFormatException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AzureResponsesTest {
    private static final String FIXTURES = "/fixtures/azure-openai/";

    private final AzureOpenAiVendor vendor = new AzureOpenAiVendor();
    private final ChatRequest clientRequest = new ChatRequest("fast", false, false,
            Json.MAPPER.createObjectNode().put("model", "fast"));

    @Test
    void azureBodyIsRelayedAsItIs() throws UpstreamFormatException {
        byte[] upstreamBody = read(FIXTURES + "azure-chat-response-tools.json");

        assertArrayEquals(upstreamBody, vendor.toClientResponse(upstreamBody, clientRequest));
    }

    @Test
    void azureFilterResultsAreValidAgainstOpenAisSchema() throws Exception {
        // The reason they are relayed rather than stripped: extra keys break neither the schema nor the SDKs.
        String clientResponse = new String(vendor.toClientResponse(read(FIXTURES + "azure-chat-response-tools.json"),
                clientRequest), StandardCharsets.UTF_8);

        OpenApiSchemas.assertValid("CreateChatCompletionResponse", clientResponse);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "<html><body>502 Bad Gateway</body></html>", "[]", "null"})
    void anythingButAJsonObjectIsAnInvalidResponse(String body) {
        UpstreamFormatException e = assertThrows(UpstreamFormatException.class,
                () -> vendor.toClientResponse(body.getBytes(StandardCharsets.UTF_8), clientRequest));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }
}
