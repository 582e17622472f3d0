package dev.switchboard.vendor.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.VendorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureRequestsTest {
    private static final String BASE = "https://res.openai.azure.com";
    private static final String BODY = """
            {"model":"fast","messages":[{"role":"user","content":"hi"}],"temperature":0.2,
             "stream":%s,"stream_options":{"include_usage":true},"data_sources":[{"type":"azure_search"}]}""";

    private final AzureOpenAiVendor vendor = new AzureOpenAiVendor();

    @Test
    void uriNamesTheDeploymentAndTheDefaultApiVersion() {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request(false), new UpstreamTarget(BASE, "gpt4o-prod", "k"));

        assertEquals(URI.create(BASE + "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"),
                upstreamRequest.uri());
    }

    @Test
    void configuredApiVersionWins() {
        UpstreamTarget target = new UpstreamTarget(BASE, "gpt4o-prod", "k",
                new VendorSettings(null, "2025-04-01-preview"));

        assertEquals(URI.create(BASE + "/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-04-01-preview"),
                vendor.toUpstream(request(true), target).uri());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gpt-4.1_mini     | gpt-4.1_mini",
        "my deployment    | my%20deployment",
        "a/b              | a%2Fb",
        "x?api-version=1  | x%3Fapi-version%3D1",
        "x#y              | x%23y",
        "déploiement      | d%C3%A9ploiement",
        "..               | %2E%2E",
        ".                | %2E",
        "a+b              | a%2Bb",
    })
    void deploymentIsAlwaysOnePathSegment(String deployment, String segment) {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request(false), new UpstreamTarget(BASE, deployment, "k"));

        URI uri = upstreamRequest.uri();
        assertEquals("/openai/deployments/" + segment + "/chat/completions", uri.getRawPath());
        assertEquals("api-version=2024-10-21", uri.getRawQuery());
        assertNull(uri.getRawFragment());
        assertEquals("res.openai.azure.com", uri.getHost());
    }

    @Test
    void keyGoesInApiKeyAndNeverInAuthorization() {
        UpstreamRequest upstreamRequest = vendor.toUpstream(request(false), new UpstreamTarget(BASE, "d", "azure-key-1"));

        assertEquals("azure-key-1", upstreamRequest.headers().get("api-key"));
        assertEquals(Set.of("api-key", "Accept"), upstreamRequest.headers().keySet());
        assertFalse(upstreamRequest.headers().keySet().stream().anyMatch("Authorization"::equalsIgnoreCase));
    }

    @Test
    void acceptFollowsTheStreamFlag() {
        UpstreamTarget target = new UpstreamTarget(BASE, "d", "k");

        assertEquals("text/event-stream", vendor.toUpstream(request(true), target).headers().get("Accept"));
        assertEquals("application/json", vendor.toUpstream(request(false), target).headers().get("Accept"));
    }

    @Test
    void bodyIsTheCallersWithoutModel() throws IOException {
        ChatRequest clientRequest = request(true);
        JsonNode before = clientRequest.body().deepCopy();

        JsonNode upstreamBody = body(vendor.toUpstream(clientRequest, new UpstreamTarget(BASE, "gpt4o-prod", "k")));

        ObjectNode expected = clientRequest.body().deepCopy();
        expected.remove("model");
        assertEquals(expected, upstreamBody);
        assertEquals(before, clientRequest.body(), "the caller's request must stay as it was for a fallback attempt");
        assertEquals("azure_search", upstreamBody.at("/data_sources/0/type").textValue());
    }

    @Test
    void bodyWithoutModelIsSentAsItIs() throws IOException {
        ObjectNode withoutModel = request(false).body().deepCopy();
        withoutModel.remove("model");
        ChatRequest clientRequest = new ChatRequest("fast", false, false, withoutModel);

        assertEquals(withoutModel, body(vendor.toUpstream(clientRequest, new UpstreamTarget(BASE, "d", "k"))));
    }

    private static ChatRequest request(boolean stream) {
        try {
            ObjectNode body = (ObjectNode) Json.MAPPER.readTree(BODY.formatted(stream));
            return new ChatRequest("fast", stream, true, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode body(UpstreamRequest upstreamRequest) throws IOException {
        return Json.MAPPER.readTree(upstreamRequest.body());
    }
}
