package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RELIABILITY.md's bad-input table and the license rules, through the deployed WAR: every rejection is
 * OpenAI-shaped JSON with the right status, and none of them reaches the upstream.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BadInputIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    private static final String CHAT = "/fake/v1/chat/completions";

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    private Api api() {
        return new Api(deployment);
    }

    private HttpResponse<String> postBytes(String contentType, byte[] body) {
        return api().send(api().request(CHAT, Canaries.LICENSE_ALL).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private HttpResponse<String> post(String json) {
        return api().post(CHAT, Canaries.LICENSE_ALL, json);
    }

    @Test
    void invalidJsonAndInvalidUtf8() {
        assertError(post("{\"model\":"), 400, "invalid_json");
        assertError(post(""), 400, "invalid_json");
        byte[] badUtf8 = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"?\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        badUtf8[badUtf8.length - 5] = (byte) 0xC3; // a lead byte followed by an ASCII quote
        assertError(postBytes("application/json", badUtf8), 400, "invalid_json");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void wrongOrMissingContentType() {
        assertError(postBytes("text/plain", Api.chat("gpt-4o", false, "x").getBytes(StandardCharsets.UTF_8)),
                415, "unsupported_media_type");
        assertError(api().send(api().request(CHAT, Canaries.LICENSE_ALL)
                .POST(HttpRequest.BodyPublishers.ofString(Api.chat("gpt-4o", false, "x"))).build()),
                415, "unsupported_media_type");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void acceptsJsonWithCharsetParameter() {
        upstream.enqueue(Reply.status(200).json("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"m\",\"choices\":[]}"));
        HttpResponse<String> response = postBytes("application/json; charset=UTF-8",
                Api.chat("gpt-4o", false, "x").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void bodyOverTheLimitWithAndWithoutContentLength() {
        String big = Api.chat("gpt-4o", false, "a".repeat((int) ItConfig.MAX_REQUEST_BYTES));
        assertError(post(big), 413, "request_too_large");
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = api().send(api().request(CHAT, Canaries.LICENSE_ALL)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build());
        assertError(chunked, 413, "request_too_large");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void jsonLimitsAndDuplicateKeys() {
        String deep = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"x\":"
                + "[".repeat(ItConfig.MAX_JSON_DEPTH + 5) + "]".repeat(ItConfig.MAX_JSON_DEPTH + 5) + "}";
        assertError(post(deep), 400, "json_limits_exceeded");
        assertError(post("{\"model\":\"gpt-4o\",\"messages\":[],\"n\":" + "9".repeat(200) + "}"), 400,
                "json_limits_exceeded");
        assertError(post("{\"model\":\"gpt-4o\",\"model\":\"other\",\"messages\":[{\"role\":\"user\"}]}"), 400,
                "duplicate_key");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void missingFieldsWrongTypesAndAbsurdValuesNameTheParameter() {
        assertEquals("model", assertError(post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400,
                "missing_required_parameter").path("param").asText());
        assertEquals("messages", assertError(post("{\"model\":\"gpt-4o\"}"), 400,
                "missing_required_parameter").path("param").asText());
        assertEquals("messages", assertError(post("{\"model\":\"gpt-4o\",\"messages\":{}}"), 400,
                "invalid_type").path("param").asText());
        assertEquals("model", assertError(post("{\"model\":4,\"messages\":[{\"role\":\"user\"}]}"), 400,
                "invalid_type").path("param").asText());
        assertEquals("n", assertError(post("{\"model\":\"gpt-4o\",\"n\":1000,\"messages\":[{\"role\":\"user\"}]}"),
                400, "invalid_value").path("param").asText());
        assertEquals("max_tokens", assertError(post(
                "{\"model\":\"gpt-4o\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\"}]}"), 400,
                "invalid_value").path("param").asText());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void unknownModelAndForbiddenPlatformLookTheSame() {
        HttpResponse<String> unknown = api().post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY,
                Api.chat("gpt-4o", false, "x"));
        HttpResponse<String> forbidden = api().post(CHAT, Canaries.LICENSE_MOCK_ONLY, Api.chat("gpt-4o", false, "x"));
        assertError(unknown, 404, "model_not_found");
        assertError(forbidden, 404, "model_not_found");
        assertEquals(unknown.body(), forbidden.body(), "no way to tell a forbidden platform from a missing model");
        assertError(api().post(CHAT, Canaries.LICENSE_ALL, Api.chat("gpt-5-unknown", false, "x")), 404,
                "model_not_found");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void unknownPlatformsUrlsAndNonCanonicalPaths() {
        assertError(api().post("/nope/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("m", false, "x")), 404,
                "unknown_platform");
        assertError(api().get("/nope/v1/models", Canaries.LICENSE_ALL), 404, "unknown_platform");
        assertError(api().get("/fake/v2/models", Canaries.LICENSE_ALL), 404, "unknown_url");
        assertError(api().get("/", Canaries.LICENSE_ALL), 404, "unknown_url");
        for (String path : List.of("/fake/v1/./models", "/fake/v1/x/../models")) {
            URI base = URI.create(deployment.toString());
            try (RawStream raw = RawStream.open(base, "GET " + base.getPath().replaceAll("/$", "") + path
                    + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Canaries.LICENSE_ALL
                    + "\r\nConnection: close\r\n\r\n", 0)) {
                raw.readToEnd(Duration.ofSeconds(10));
                assertTrue(raw.text().startsWith("HTTP/1.1 400"), path + " -> " + raw.text());
                assertTrue(raw.body().contains("\"invalid_path\""), path + " -> " + raw.text());
            }
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void wrongMethodsGet405WithAllow() {
        HttpResponse<String> getChat = api().get(CHAT, Canaries.LICENSE_ALL);
        assertError(getChat, 405, "method_not_allowed");
        assertEquals("POST", getChat.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> deleteModels = api().send(api().request("/fake/v1/models", Canaries.LICENSE_ALL)
                .DELETE().build());
        assertError(deleteModels, 405, "method_not_allowed");
        assertEquals("GET", deleteModels.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void everyCredentialFailureGetsTheSame401Body() {
        String body = Api.chat("gpt-4o", false, "x");
        List<HttpRequest.Builder> attempts = List.of(
                api().request(CHAT, null),
                api().request(CHAT, Canaries.UNKNOWN_KEY),
                api().request(CHAT, Canaries.LICENSE_EXPIRED),
                api().request(CHAT, null).header("Authorization", "Basic " + Canaries.LICENSE_ALL),
                api().request(CHAT, null).header("Authorization", "Bearer "),
                api().request(CHAT, Canaries.LICENSE_ALL).header("Authorization", "Bearer " + Canaries.LICENSE_ALL),
                api().request(CHAT + "?api_key=" + Canaries.LICENSE_ALL, Canaries.LICENSE_ALL));
        String first = null;
        for (HttpRequest.Builder attempt : attempts) {
            HttpResponse<String> response = api().send(attempt.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            JsonNode error = assertError(response, 401, "invalid_api_key");
            assertEquals("authentication_error", error.path("type").asText());
            first = first == null ? response.body() : first;
            assertEquals(first, response.body(), "401 bodies differ by cause");
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void healthNeedsNoCredentials() {
        HttpResponse<String> response = api().get("/healthz", null);
        assertEquals(200, response.statusCode());
        assertEquals("{\"status\":\"ok\"}", response.body());
    }

    @Test
    void brokenChunkedBodyIsAJson400() {
        URI base = URI.create(deployment.toString());
        try (RawStream raw = RawStream.open(base, "POST " + base.getPath().replaceAll("/$", "") + CHAT
                + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Canaries.LICENSE_ALL
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz-not-hex\r\n{}\r\n0\r\n\r\n",
                0)) {
            raw.readToEnd(Duration.ofSeconds(10));
            // A container may drop a connection whose framing is broken without answering at all; if it answers,
            // it is a clean 400.
            if (!raw.text().isEmpty()) {
                assertTrue(raw.text().startsWith("HTTP/1.1 400"), raw.text());
                Errors.assertClean(raw.body());
            }
        }
        assertEquals(0, upstream.requestCount());
    }
}
