package dev.switchboard.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiErrorTest {

    @Test
    void toJsonHasExactlyOpenAisShapeWithNullParam() {
        ApiError error = ApiError.server(502, "upstream_reset", "The upstream closed the connection.");

        assertEquals("{\"error\":{\"message\":\"The upstream closed the connection.\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":\"upstream_reset\"}}", json(error));
    }

    @Test
    void toJsonCarriesParam() throws IOException {
        JsonNode error = Json.MAPPER.readTree(
                ApiError.invalidRequest(400, "invalid_type", "messages[0].role", "bad role").toJson()).get("error");

        assertEquals("messages[0].role", error.get("param").textValue());
        assertEquals("invalid_type", error.get("code").textValue());
        assertEquals("invalid_request_error", error.get("type").textValue());
        assertEquals("bad role", error.get("message").textValue());
    }

    @Test
    void toJsonHasOnlyTheErrorObjectWithItsFourFields() throws IOException {
        JsonNode root = Json.MAPPER.readTree(ApiError.invalidApiKey().toJson());

        assertEquals(List.of("error"), names(root));
        assertEquals(List.of("message", "type", "param", "code"), names(root.get("error")));
        assertTrue(root.get("error").get("param").isNull());
    }

    @Test
    void specialCharactersAreEscaped() throws IOException {
        String message = "quote \" backslash \\ newline \n tab \t cr \r nul \u0000 bell \u0007 e\u0301 \u65e5 \uD83C\uDF89";
        ApiError error = ApiError.invalidRequest(400, "c\"ode", "pa\nram", message);

        String json = json(error);
        JsonNode parsed = Json.MAPPER.readTree(json).get("error");

        assertEquals(message, parsed.get("message").textValue());
        assertEquals("c\"ode", parsed.get("code").textValue());
        assertEquals("pa\nram", parsed.get("param").textValue());
        assertFalse(json.chars().anyMatch(c -> c < 0x20), "raw control character in " + json);
        assertTrue(json.contains("\\\""));
        assertTrue(json.contains("\\\\"));
        assertTrue(json.contains("\\n"));
    }

    @Test
    void withHeaderKeepsPreviousHeaders() {
        ApiError error = ApiError.server(503, "x", "m").withHeader("Retry-After", "1").withHeader("Allow", "POST");

        assertEquals(Map.of("Retry-After", "1", "Allow", "POST"), error.headers());
    }

    @Test
    void withHeaderReplacesASameNamedHeader() {
        ApiError error = ApiError.server(503, "x", "m").withHeader("Retry-After", "1").withHeader("Retry-After", "7");

        assertEquals(Map.of("Retry-After", "7"), error.headers());
    }

    @Test
    void withHeaderLeavesTheOriginalUnchanged() {
        ApiError original = ApiError.server(503, "x", "m").withHeader("Retry-After", "1");

        ApiError changed = original.withHeader("Allow", "GET");

        assertEquals(Map.of("Retry-After", "1"), original.headers());
        assertEquals(original.status(), changed.status());
        assertEquals(original.code(), changed.code());
        assertEquals(original.message(), changed.message());
    }

    @Test
    void headersCannotBeChangedFromOutside() {
        HashMap<String, String> headers = new HashMap<>(Map.of("Retry-After", "1"));
        ApiError error = new ApiError(429, ApiError.RATE_LIMIT, "c", null, "m", headers);

        headers.put("Set-Cookie", "x");

        assertEquals(Map.of("Retry-After", "1"), error.headers());
        assertThrows(UnsupportedOperationException.class, () -> error.headers().put("X", "y"));
    }

    @Test
    void nullHeadersMeanNone() {
        assertEquals(Map.of(), new ApiError(400, ApiError.INVALID_REQUEST, "c", null, "m", null).headers());
    }

    private static String json(ApiError error) {
        return new String(error.toJson(), StandardCharsets.UTF_8);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
