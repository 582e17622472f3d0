package dev.switchboard.web;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import java.util.regex.Pattern;

/**
 * A request path the gateway serves, {@code /<platform>/v1/chat/completions} or {@code /<platform>/v1/models},
 * parsed from the raw (undecoded) request URI. Routing and authorisation both use this one parse (RELIABILITY.md,
 * security must 5), and anything a container might normalise differently — encoded characters, dot segments,
 * empty segments, {@code ;} parameters — is refused rather than interpreted.
 *
 * @param platform the URL prefix: a platform key or a router name (the servlet decides which)
 * @param endpoint which API
 */
record ApiPath(String platform, Endpoint endpoint) {

    enum Endpoint { CHAT_COMPLETIONS, MODELS }

    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    static ApiPath parse(String requestUri, String contextPath) throws ApiException {
        String path = requestUri.startsWith(contextPath) ? requestUri.substring(contextPath.length()) : requestUri;
        if (path.indexOf('%') >= 0 || path.indexOf(';') >= 0 || path.indexOf('\\') >= 0 || path.contains("//")
                || path.contains("/./") || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            throw new ApiException(ApiError.invalidRequest(400, "invalid_path", null,
                    "The request path is not in canonical form."));
        }
        String[] segments = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
        Endpoint endpoint = null;
        if (segments.length == 4 && segments[1].equals("v1") && segments[2].equals("chat")
                && segments[3].equals("completions")) {
            endpoint = Endpoint.CHAT_COMPLETIONS;
        } else if (segments.length == 3 && segments[1].equals("v1") && segments[2].equals("models")) {
            endpoint = Endpoint.MODELS;
        }
        if (endpoint == null) {
            throw new ApiException(ApiError.invalidRequest(404, "unknown_url", null,
                    "Unknown URL. Use /<platform>/v1/chat/completions or /<platform>/v1/models."));
        }
        if (!PLATFORM.matcher(segments[0]).matches()) {
            throw new ApiException(unknownPlatform());
        }
        return new ApiPath(segments[0], endpoint);
    }

    static ApiError unknownPlatform() {
        return ApiError.invalidRequest(404, "unknown_platform", null,
                "Unknown platform. The URL must start with a configured platform prefix.");
    }
}
