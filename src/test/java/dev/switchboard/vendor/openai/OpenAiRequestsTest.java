package dev.switchboard.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.ChatRequestParser;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenAiRequestsTest {
    private static final String BODY = """
            {"model":"fast","messages":[{"role":"user","content":"hi"}],"top_k":40,
             "stream":%s,"vendor_extra":{"nested":[1,"two",null]}}""";

    private final OpenAiVendor vendor = new OpenAiVendor();

    @Test
    void uriIsTheBaseUrlWithChatCompletions() {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request(false),
                new UpstreamTarget("https://api.deepseek.com/v1", "deepseek-chat", "sk-1"));

        assertEquals(URI.create("https://api.deepseek.com/v1/chat/completions"), upstreamRequest.uri());
    }

    @Test
    void tokenGoesInABearerAuthorization() {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request(false),
                new UpstreamTarget("http://127.0.0.1:8080/v1", "m", "sk-secret-1"));

        assertEquals("Bearer sk-secret-1", upstreamRequest.headers().get("Authorization"));
    }

    @Test
    void acceptFollowsTheStreamFlag() {
        UpstreamTarget target = new UpstreamTarget("http://127.0.0.1:8080/v1", "m", "t");

        assertEquals("text/event-stream", vendor.toUpstream(request(true), target).headers().get("Accept"));
        assertEquals("application/json", vendor.toUpstream(request(false), target).headers().get("Accept"));
    }

    @Test
    void modelIsRewrittenOnlyInTheUpstreamBody() throws IOException {
        ChatRequest clientRequest = request(false);
        JsonNode before = clientRequest.body().deepCopy();

        UpstreamRequest upstreamRequest = vendor.toUpstream(clientRequest,
                new UpstreamTarget("http://127.0.0.1:8080/v1", "gpt-4o-mini-2024-07-18", "t"));

        assertEquals("gpt-4o-mini-2024-07-18", body(upstreamRequest).get("model").textValue());
        assertEquals("fast", clientRequest.body().get("model").textValue());
        assertEquals(before, clientRequest.body());
    }

    @Test
    void laterAttemptStartsAgainFromWhatTheCallerSent() throws IOException {
        ChatRequest clientRequest = request(false);

        vendor.toUpstream(clientRequest, new UpstreamTarget("http://a.test/v1", "first-model", "t"));
        UpstreamRequest second = vendor.toUpstream(clientRequest, new UpstreamTarget("http://b.test/v1", "fast", "t"));

        assertEquals("fast", body(second).get("model").textValue());
    }

    @Test
    void everythingElseIsForwardedUnchanged() throws IOException {
        ChatRequest clientRequest = request(true);

        JsonNode upstreamBody = body(vendor.toUpstream(clientRequest,
                new UpstreamTarget("http://127.0.0.1:8080/v1", "other", "t")));

        ObjectNode expected = clientRequest.body().deepCopy();
        expected.put("model", "other");
        assertEquals(expected, upstreamBody);
        assertEquals(40, upstreamBody.get("top_k").intValue());
        assertEquals("two", upstreamBody.at("/vendor_extra/nested/1").textValue());
    }

    @Test
    void sameModelNameIsSentAsItIs() throws IOException {
        ChatRequest clientRequest = request(false);

        JsonNode upstreamBody = body(vendor.toUpstream(clientRequest,
                new UpstreamTarget("http://127.0.0.1:8080/v1", "fast", "t")));

        assertEquals(clientRequest.body(), upstreamBody);
    }

    @Test
    void withNothingToChangeTheCallersBytesGoUpstreamExactlyAsSent() throws Exception {
        // Spacing, field order and number forms as a caller may send them; re-serialising would change each.
        byte[] sent = "{ \"messages\": [ {\"role\":\"user\",\"content\":\"hi\"} ],\n  \"temperature\": 1.0E0, \"model\": \"fast\" }"
                .getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(sent, sent.length + 7); // as a reader's buffer, longer than the body
        ChatRequest clientRequest = new ChatRequestParser(64, 1 << 20).parse(padded, sent.length);

        UpstreamRequest same = vendor.toUpstream(clientRequest, new UpstreamTarget("http://127.0.0.1:8080/v1", "fast", "t"));
        UpstreamRequest renamed = vendor.toUpstream(clientRequest,
                new UpstreamTarget("http://127.0.0.1:8080/v1", "fast-2024", "t"));

        assertArrayEquals(sent, same.body());
        assertEquals("fast-2024", body(renamed).get("model").textValue());
        assertEquals(1.0, body(renamed).get("temperature").doubleValue());
        assertArrayEquals(sent, clientRequest.raw(), "the rename left the raw bytes alone");
    }

    @Test
    void headersAreOnlyTheCredentialAndAccept() {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request(false),
                new UpstreamTarget("http://127.0.0.1:8080/v1", "m", "t"));

        assertEquals(Set.of("Authorization", "Accept"), upstreamRequest.headers().keySet());
    }

    private static ChatRequest request(boolean stream) {
        try {
            ObjectNode body = (ObjectNode) Json.MAPPER.readTree(BODY.formatted(stream));
            return new ChatRequest("fast", stream, false, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode body(UpstreamRequest upstreamRequest) throws IOException {
        return Json.MAPPER.readTree(upstreamRequest.body());
    }
}
