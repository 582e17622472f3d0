package dev.switchboard.vendor;

import java.net.URI;
import java.util.Map;

/**
 * One request to an upstream, built by a {@link Vendor}; per attempt.
 *
 * @param uri     always derived from the platform's configured base URL, never from anything the caller sent
 * @param headers request headers, credentials included; never logged
 * @param body    the JSON body
 */
public record UpstreamRequest(URI uri, Map<String, String> headers, byte[] body) {
    public UpstreamRequest {
        headers = Map.copyOf(headers);
    }
}
