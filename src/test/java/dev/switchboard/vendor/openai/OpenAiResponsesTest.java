package dev.switchboard.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamFormatException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiResponsesTest {
    private static final String COMPLETION = "{\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"created\": 1,"
            + " \"model\": \"m\", \"choices\": [], \"cost\": 1.50E-5}";

    private final OpenAiVendor vendor = new OpenAiVendor();
    private final ChatRequest clientRequest = new ChatRequest("m", false, false,
            Json.MAPPER.createObjectNode().put("model", "m"));

    @Test
    void jsonObjectIsRelayedAsItIs() throws UpstreamFormatException {
        byte[] body = utf8(COMPLETION);

        assertArrayEquals(body, vendor.toClientResponse(body, clientRequest));
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "\n", "\r\n", "\t \n "})
    void leadingWhitespaceIsFine(String whitespace) throws UpstreamFormatException {
        byte[] body = utf8(whitespace + COMPLETION);

        assertArrayEquals(body, vendor.toClientResponse(body, clientRequest));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   \n",
        "<!DOCTYPE html><html><body>Service Unavailable</body></html>",
        "<html>{}</html>",
        "[" + COMPLETION + "]",
        "\"chat.completion\"",
        "null",
        "OK",
        "\u00a0{}",
    })
    void anythingButAJsonObjectIsAnInvalidResponse(String body) {
        UpstreamFormatException e = assertThrows(UpstreamFormatException.class,
                () -> vendor.toClientResponse(utf8(body), clientRequest));

        assertEquals(UpstreamFormatException.INVALID_RESPONSE, e.code());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
