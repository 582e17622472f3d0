package dev.switchboard.config;

import dev.switchboard.vendor.VendorRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Per-validation: the rules for the {@code platforms} section, each platform with its base URL, tokens, models,
 * timeouts and retry settings. Returns the platforms normalised (base URLs without a trailing slash).
 */
final class PlatformRules {

    /** Platform types this build can serve: whatever the vendor registry maps, so the two cannot drift apart. */
    static final Set<String> KNOWN_TYPES = VendorRegistry.TYPES;

    /** The platform key is the first URL path segment, so it stays lower-case and URL-safe. */
    static final Pattern PLATFORM_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** First path segments the gateway keeps for itself: its health check, and {@code /v1} for unprefixed routes. */
    static final Set<String> RESERVED_KEYS = Set.of("healthz", "v1");

    /** The one type answered locally; every other type talks to an upstream and needs a base URL and tokens. */
    private static final String LOCAL_TYPE = "mock";

    /**
     * Types whose vendor builds the whole path itself ({@code /openai/deployments/…} for Azure OpenAI), so the base URL
     * is the resource root and a path there (a pasted {@code …/openai} or deployment URL) would be sent twice.
     */
    private static final Set<String> ROOT_URL_TYPES = Set.of("azure-openai");

    private final ConfigProblems problems;

    PlatformRules(ConfigProblems problems) {
        this.problems = problems;
    }

    Map<String, PlatformConfig> platforms(Map<String, PlatformConfig> platforms) {
        if (platforms.isEmpty()) {
            problems.add("platforms", "at least one platform is required");
        }
        Map<String, PlatformConfig> normalised = new LinkedHashMap<>();
        platforms.forEach((key, platform) -> normalised.put(key, platform(key, platform)));
        sameProtocolPerHost(normalised);
        return normalised;
    }

    /**
     * Upstream connections are pooled per scheme, host and port, and the protocol is chosen when a connection is
     * opened, so two platforms on one upstream host cannot disagree about {@code http2}.
     */
    private void sameProtocolPerHost(Map<String, PlatformConfig> platforms) {
        Map<String, String> firstByHost = new LinkedHashMap<>();
        platforms.forEach((key, platform) -> {
            String host = hostKey(platform.baseUrl());
            if (host == null) {
                return;
            }
            String first = firstByHost.putIfAbsent(host, key);
            if (first != null && !platforms.get(first).http2().equals(platform.http2())) {
                problems.add(ConfigPath.key("platforms", key) + ".http2", "must be the same as on platform "
                        + first + ", which uses the same upstream scheme, host and port (connections are shared)");
            }
        });
    }

    /** {@code scheme://host:port} with the default port filled in; {@code null} for no or an invalid base URL. */
    private static String hostKey(String baseUrl) {
        if (baseUrl == null) {
            return null;
        }
        try {
            URI uri = new URI(baseUrl);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return scheme + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private PlatformConfig platform(String key, PlatformConfig platform) {
        String path = ConfigPath.key("platforms", key);
        if (RESERVED_KEYS.contains(key)) {
            problems.add(path, "reserved for the gateway's own paths (/healthz, /v1); choose another prefix");
        } else if (!PLATFORM_KEY.matcher(key).matches()) {
            problems.add(path, "a platform key is its URL prefix and must match " + PLATFORM_KEY.pattern());
        }
        String baseUrl = platform.baseUrl();
        String type = platform.type();
        if (type == null) {
            problems.add(path + ".type", "required (one of: " + knownTypes() + ")");
        } else if (!KNOWN_TYPES.contains(type)) {
            problems.add(path + ".type", "unknown type (known: " + knownTypes() + ")");
        } else if (LOCAL_TYPE.equals(type)) {
            if (baseUrl != null) {
                problems.add(path + ".baseUrl", "not used by type " + type + "; remove it");
            }
            if (!platform.tokens().isEmpty()) {
                problems.add(path + ".tokens", "not used by type " + type + "; remove it");
            }
            if (platform.http2()) {
                problems.add(path + ".http2", "not used by type " + type + " (it has no upstream); remove it");
            }
        } else {
            baseUrl = baseUrl(path + ".baseUrl", baseUrl, type);
            tokens(path + ".tokens", platform.tokens(), type);
        }
        models(path + ".models", platform.models());
        timeouts(path + ".timeouts", platform.timeouts());
        if (platform.mock().delayMs() < 0) {
            problems.add(path + ".mock.delayMs", "must not be negative");
        }
        if (platform.defaultMaxTokens() != null && platform.defaultMaxTokens() <= 0) {
            problems.add(path + ".defaultMaxTokens", "must be greater than 0");
        }
        if (platform.apiVersion() != null && !platform.apiVersion().matches("[A-Za-z0-9._-]{1,64}")) {
            problems.add(path + ".apiVersion", "must be a version string such as 2024-10-21");
        }
        retry(path + ".retry", platform.retry());
        return new PlatformConfig(type, baseUrl, platform.tokens(), platform.models(), platform.timeouts(),
                platform.mock(), platform.defaultMaxTokens(), platform.apiVersion(), platform.retry(),
                platform.http2());
    }

    /** Returns the URL without trailing slashes, so routes can append {@code /chat/completions} unconditionally. */
    private String baseUrl(String path, String baseUrl, String type) {
        if (baseUrl == null) {
            problems.add(path, "required for type " + type);
            return null;
        }
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException e) {
            problems.add(path, "not a valid URL (RFC 3986)");
            return baseUrl;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            problems.add(path, "must be an absolute http or https URL");
        } else if (uri.getRawUserInfo() != null) {
            problems.add(path, "must not contain user info; credentials belong in tokens");
        } else if (uri.getHost() == null) {
            problems.add(path, "must name a host");
        } else if (uri.getRawQuery() != null) {
            problems.add(path, "must not have a query");
        } else if (uri.getRawFragment() != null) {
            problems.add(path, "must not have a fragment");
        } else if (ROOT_URL_TYPES.contains(type) && uri.getRawPath() != null
                && !uri.getRawPath().replaceAll("/+$", "").isEmpty()) {
            problems.add(path, "must be the resource root without a path for type " + type
                    + " (such as https://NAME.openai.azure.com); deployments come from models");
        }
        int end = baseUrl.length();
        while (end > 0 && baseUrl.charAt(end - 1) == '/') {
            end--;
        }
        return baseUrl.substring(0, end);
    }

    private void tokens(String path, List<String> tokens, String type) {
        if (tokens.isEmpty()) {
            problems.add(path, "at least one token is required for type " + type);
        }
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.isBlank()) {
                problems.add(ConfigPath.index(path, i), "must not be blank");
            } else if (ConfigProblems.hasControlCharacter(token)) {
                // Tokens become header values; CR or LF there would split the upstream request (RFC 9110, 5.5).
                problems.add(ConfigPath.index(path, i), "must not contain control characters (a trailing newline?)");
            }
        }
    }

    private void models(String path, Map<String, String> models) {
        if (models == null) {
            return;
        }
        if (models.isEmpty()) {
            problems.add(path, "must not be empty; omit models to pass every model name through unchanged");
        }
        models.forEach((publicName, upstreamName) -> {
            String entryPath = ConfigPath.key(path, publicName);
            if (publicName.isBlank()) {
                problems.add(entryPath, "public model name must not be blank");
            }
            if (upstreamName.isBlank()) {
                problems.add(entryPath, "upstream model name must not be blank");
            } else if (publicName.contains("*") && !upstreamName.equals("*")) {
                // A glob entry maps every name it matches to itself; anything else would need a rewrite language.
                problems.add(entryPath, "a glob entry (its name contains *) must map to \"*\": the same name upstream");
            } else if (!publicName.contains("*") && upstreamName.equals("*")) {
                problems.add(entryPath, "\"*\" upstream needs a glob public name such as \"claude-*\"");
            }
        });
    }

    private void timeouts(String path, TimeoutsConfig timeouts) {
        problems.positive(path + ".connectMs", timeouts.connectMs());
        problems.positive(path + ".firstByteMs", timeouts.firstByteMs());
        problems.positive(path + ".idleMs", timeouts.idleMs());
        problems.positive(path + ".heartbeatMs", timeouts.heartbeatMs());
        problems.positive(path + ".maxStreamMs", timeouts.maxStreamMs());
    }

    /** Ranges that keep the retry loop bounded and its periods ordered (min ≤ default ≤ max). */
    private void retry(String path, RetryConfig retry) {
        if (retry.maxRetries() < 0 || retry.maxRetries() > 10) {
            problems.add(path + ".maxRetries", "must be between 0 and 10");
        }
        problems.positive(path + ".backoffBaseMs", retry.backoffBaseMs());
        problems.positive(path + ".backoffCapMs", retry.backoffCapMs());
        if (retry.backoffCapMs() < retry.backoffBaseMs()) {
            problems.add(path + ".backoffCapMs", "must not be less than backoffBaseMs");
        }
        problems.positive(path + ".deadlineMs", retry.deadlineMs());
        problems.positive(path + ".cooldownMinMs", retry.cooldownMinMs());
        if (retry.cooldownMaxMs() < retry.cooldownMinMs()) {
            problems.add(path + ".cooldownMaxMs", "must not be less than cooldownMinMs");
        }
        if (retry.cooldownDefaultMs() < retry.cooldownMinMs() || retry.cooldownDefaultMs() > retry.cooldownMaxMs()) {
            problems.add(path + ".cooldownDefaultMs", "must be between cooldownMinMs and cooldownMaxMs");
        }
        if (retry.ejectAfterFailures() < 1) {
            problems.add(path + ".ejectAfterFailures", "must be at least 1");
        }
        problems.positive(path + ".ejectMs", retry.ejectMs());
        if (retry.ejectMaxMs() < retry.ejectMs()) {
            problems.add(path + ".ejectMaxMs", "must not be less than ejectMs");
        }
        problems.positive(path + ".disabledMs", retry.disabledMs());
    }

    private static String knownTypes() {
        return String.join(", ", new TreeSet<>(KNOWN_TYPES));
    }
}
