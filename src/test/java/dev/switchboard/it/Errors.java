package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Assertions on the gateway's OpenAI-shaped errors. */
public final class Errors {
    private Errors() {}

    /** Status, JSON content type, {@code error.code}, and nothing in the body that should never be there. */
    public static JsonNode assertError(HttpResponse<String> response, int status, String code) {
        String body = response.body();
        assertEquals(status, response.statusCode(), () -> "status; body: " + body);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                () -> "content type " + response.headers().firstValue("Content-Type") + "; body: " + body);
        assertClean(body);
        JsonNode error = Api.json(body).path("error");
        assertTrue(error.isObject(), () -> "no error object: " + body);
        assertEquals(code, error.path("code").asText(), () -> "code; body: " + body);
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), body);
        assertTrue(error.path("type").isTextual(), body);
        assertTrue(error.has("param"), body);
        return error;
    }

    /** No HTML, no Java stack trace, no server banner, no secret. */
    public static void assertClean(String body) {
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        assertFalse(lower.contains("<html") || lower.contains("<!doctype"), () -> "HTML in body: " + body);
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains(".java:"),
                () -> "stack trace in body: " + body);
        assertFalse(lower.contains("tomcat") || lower.contains("jetty") || lower.contains("wildfly")
                || lower.contains("undertow"), () -> "server banner in body: " + body);
        for (String secret : Canaries.all()) {
            assertFalse(body.contains(secret), () -> "secret in body: " + body);
        }
    }
}
