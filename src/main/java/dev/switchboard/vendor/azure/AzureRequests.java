package dev.switchboard.vendor.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** OpenAI request → Azure OpenAI deployment request: same body, deployment and version in the URL. */
final class AzureRequests {
    /** The GA version this package is tested against (WIRE-FORMATS.md §4); a platform's {@code apiVersion} wins. */
    static final String DEFAULT_API_VERSION = "2024-10-21";

    private AzureRequests() {}

    static UpstreamRequest toUpstream(ChatRequest clientRequest, UpstreamTarget target) {
        ObjectNode body = clientRequest.body();
        if (body.has("model")) {
            // The deployment in the URL chooses the model and the body "may leave out" model (WIRE-FORMATS.md §4);
            // sending the caller's public name would only mislead whoever reads Azure's logs. A copy, so a later
            // attempt on another platform starts again from what the caller sent.
            body = body.deepCopy();
            body.remove("model");
        }
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        // api-key, not Authorization: Azure reads Authorization as an Entra ID bearer token (WIRE-FORMATS.md §4).
        Map<String, String> headers = Map.of(
                "api-key", target.token(),
                "Accept", clientRequest.stream() ? "text/event-stream" : "application/json");
        String apiVersion = target.settings().apiVersion() == null
                ? DEFAULT_API_VERSION : target.settings().apiVersion();
        URI uri = URI.create(target.baseUrl() + "/openai/deployments/" + pathSegment(target.upstreamModel())
                + "/chat/completions?api-version=" + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8));
        return new UpstreamRequest(uri, headers, bytes);
    }

    /** One path segment whatever the deployment is called: no '/', '?', '#', space or dot segment can escape it. */
    static String pathSegment(String name) {
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        // "." and ".." are dot segments that clients and proxies resolve away (RFC 3986 §5.2.4).
        return encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
    }
}
