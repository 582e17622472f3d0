package dev.switchboard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.switchboard.vendor.VendorRegistry;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks a bound configuration against the rules JSON types cannot express and returns it normalised (lower-case
 * digests, base URLs without a trailing slash). Collects every problem rather than stopping at the first.
 *
 * <p>Like {@link ConfigTree}, problems name fields, never values.
 */
final class ConfigValidator {

    /** Platform types this build can serve: whatever the vendor registry maps, so the two cannot drift apart. */
    static final Set<String> KNOWN_TYPES = VendorRegistry.TYPES;

    /** The one type answered locally; every other type talks to an upstream and needs a base URL and tokens. */
    private static final String LOCAL_TYPE = "mock";

    /**
     * Types whose vendor builds the whole path itself ({@code /openai/deployments/…} for Azure OpenAI), so the base URL
     * is the resource root and a path there (a pasted {@code …/openai} or deployment URL) would be sent twice.
     */
    private static final Set<String> ROOT_URL_TYPES = Set.of("azure-openai");

    /** The platform key is the first URL path segment, so it stays lower-case and URL-safe. */
    private static final Pattern PLATFORM_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** First path segments the gateway keeps for itself: its health check, and {@code /v1} for unprefixed routes. */
    private static final Set<String> RESERVED_KEYS = Set.of("healthz", "v1");

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    /** An app id is the part of {@code <appId>:<appKey>} before the first colon, and it is written to logs. */
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final List<String> problems;

    private ConfigValidator(List<String> problems) {
        this.problems = problems;
    }

    /** Returns the normalised configuration; it is valid only when no line was added to {@code problems}. */
    static GatewayConfig validate(GatewayConfig config, List<String> problems) {
        ConfigValidator validator = new ConfigValidator(problems);
        Map<String, PlatformConfig> platforms = validator.platforms(config.platforms());
        List<LicenseConfig> licenses = validator.licenses(config.licenses(), platforms.keySet());
        List<AppConfig> apps = validator.apps(config.apps(), platforms.keySet());
        validator.limits(config.limits());
        validator.upstream(config.upstream());
        validator.routers(config.routers(), platforms.keySet());
        return new GatewayConfig(licenses, apps, platforms, config.limits(), config.upstream(), config.routers());
    }

    /**
     * A router name is a URL prefix like a platform key, so it follows the same pattern, avoids the reserved segments
     * and may not equal a platform key (the first path segment must name exactly one thing). Its platforms exist,
     * at least one, none twice.
     */
    private void routers(Map<String, RouterConfig> routers, Set<String> platformKeys) {
        routers.forEach((name, router) -> {
            String path = ConfigPath.key("routers", name);
            if (RESERVED_KEYS.contains(name)) {
                problem(path, "reserved for the gateway's own paths (/healthz, /v1); choose another prefix");
            } else if (!PLATFORM_KEY.matcher(name).matches()) {
                problem(path, "a router name is its URL prefix and must match " + PLATFORM_KEY.pattern());
            } else if (platformKeys.contains(name)) {
                problem(path, "collides with the platform of the same name; a URL prefix names one platform or one"
                        + " router");
            }
            List<String> platforms = router.platforms();
            if (platforms.isEmpty()) {
                problem(path + ".platforms", "at least one platform key is required");
            }
            Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < platforms.size(); i++) {
                String platform = platforms.get(i);
                String entryPath = ConfigPath.index(path + ".platforms", i);
                if (platform == null || !platformKeys.contains(platform)) {
                    problem(entryPath, "no such platform (configured: " + String.join(", ", platformKeys) + ")");
                } else if (!seen.add(platform)) {
                    problem(entryPath, "listed twice");
                }
            }
        });
    }

    private Map<String, PlatformConfig> platforms(Map<String, PlatformConfig> platforms) {
        if (platforms.isEmpty()) {
            problem("platforms", "at least one platform is required");
        }
        Map<String, PlatformConfig> normalised = new LinkedHashMap<>();
        platforms.forEach((key, platform) -> normalised.put(key, platform(key, platform)));
        return normalised;
    }

    private PlatformConfig platform(String key, PlatformConfig platform) {
        String path = ConfigPath.key("platforms", key);
        if (RESERVED_KEYS.contains(key)) {
            problem(path, "reserved for the gateway's own paths (/healthz, /v1); choose another prefix");
        } else if (!PLATFORM_KEY.matcher(key).matches()) {
            problem(path, "a platform key is its URL prefix and must match " + PLATFORM_KEY.pattern());
        }
        String baseUrl = platform.baseUrl();
        String type = platform.type();
        if (type == null) {
            problem(path + ".type", "required (one of: " + knownTypes() + ")");
        } else if (!KNOWN_TYPES.contains(type)) {
            problem(path + ".type", "unknown type (known: " + knownTypes() + ")");
        } else if (LOCAL_TYPE.equals(type)) {
            if (baseUrl != null) {
                problem(path + ".baseUrl", "not used by type " + type + "; remove it");
            }
            if (!platform.tokens().isEmpty()) {
                problem(path + ".tokens", "not used by type " + type + "; remove it");
            }
        } else {
            baseUrl = baseUrl(path + ".baseUrl", baseUrl, type);
            tokens(path + ".tokens", platform.tokens(), type);
        }
        models(path + ".models", platform.models());
        timeouts(path + ".timeouts", platform.timeouts());
        if (platform.mock().delayMs() < 0) {
            problem(path + ".mock.delayMs", "must not be negative");
        }
        if (platform.defaultMaxTokens() != null && platform.defaultMaxTokens() <= 0) {
            problem(path + ".defaultMaxTokens", "must be greater than 0");
        }
        if (platform.apiVersion() != null && !platform.apiVersion().matches("[A-Za-z0-9._-]{1,64}")) {
            problem(path + ".apiVersion", "must be a version string such as 2024-10-21");
        }
        retry(path + ".retry", platform.retry());
        return new PlatformConfig(type, baseUrl, platform.tokens(), platform.models(), platform.timeouts(),
                platform.mock(), platform.defaultMaxTokens(), platform.apiVersion(), platform.retry());
    }

    /** Returns the URL without trailing slashes, so routes can append {@code /chat/completions} unconditionally. */
    private String baseUrl(String path, String baseUrl, String type) {
        if (baseUrl == null) {
            problem(path, "required for type " + type);
            return null;
        }
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException e) {
            problem(path, "not a valid URL (RFC 3986)");
            return baseUrl;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            problem(path, "must be an absolute http or https URL");
        } else if (uri.getRawUserInfo() != null) {
            problem(path, "must not contain user info; credentials belong in tokens");
        } else if (uri.getHost() == null) {
            problem(path, "must name a host");
        } else if (uri.getRawQuery() != null) {
            problem(path, "must not have a query");
        } else if (uri.getRawFragment() != null) {
            problem(path, "must not have a fragment");
        } else if (ROOT_URL_TYPES.contains(type) && uri.getRawPath() != null
                && !uri.getRawPath().replaceAll("/+$", "").isEmpty()) {
            problem(path, "must be the resource root without a path for type " + type
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
            problem(path, "at least one token is required for type " + type);
        }
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.isBlank()) {
                problem(ConfigPath.index(path, i), "must not be blank");
            } else if (hasControlCharacter(token)) {
                // Tokens become header values; CR or LF there would split the upstream request (RFC 9110, 5.5).
                problem(ConfigPath.index(path, i), "must not contain control characters (a trailing newline?)");
            }
        }
    }

    private void models(String path, Map<String, String> models) {
        if (models == null) {
            return;
        }
        if (models.isEmpty()) {
            problem(path, "must not be empty; omit models to pass every model name through unchanged");
        }
        models.forEach((publicName, upstreamName) -> {
            String entryPath = ConfigPath.key(path, publicName);
            if (publicName.isBlank()) {
                problem(entryPath, "public model name must not be blank");
            }
            if (upstreamName.isBlank()) {
                problem(entryPath, "upstream model name must not be blank");
            } else if (publicName.contains("*") && !upstreamName.equals("*")) {
                // A glob entry maps every name it matches to itself; anything else would need a rewrite language.
                problem(entryPath, "a glob entry (its name contains *) must map to \"*\": the same name upstream");
            } else if (!publicName.contains("*") && upstreamName.equals("*")) {
                problem(entryPath, "\"*\" upstream needs a glob public name such as \"claude-*\"");
            }
        });
    }

    private void timeouts(String path, TimeoutsConfig timeouts) {
        positive(path + ".connectMs", timeouts.connectMs());
        positive(path + ".firstByteMs", timeouts.firstByteMs());
        positive(path + ".idleMs", timeouts.idleMs());
        positive(path + ".heartbeatMs", timeouts.heartbeatMs());
        positive(path + ".maxStreamMs", timeouts.maxStreamMs());
    }

    /** Ranges that keep the retry loop bounded and its periods ordered (min ≤ default ≤ max). */
    private void retry(String path, RetryConfig retry) {
        if (retry.maxRetries() < 0 || retry.maxRetries() > 10) {
            problem(path + ".maxRetries", "must be between 0 and 10");
        }
        positive(path + ".backoffBaseMs", retry.backoffBaseMs());
        positive(path + ".backoffCapMs", retry.backoffCapMs());
        if (retry.backoffCapMs() < retry.backoffBaseMs()) {
            problem(path + ".backoffCapMs", "must not be less than backoffBaseMs");
        }
        positive(path + ".deadlineMs", retry.deadlineMs());
        positive(path + ".cooldownMinMs", retry.cooldownMinMs());
        if (retry.cooldownMaxMs() < retry.cooldownMinMs()) {
            problem(path + ".cooldownMaxMs", "must not be less than cooldownMinMs");
        }
        if (retry.cooldownDefaultMs() < retry.cooldownMinMs() || retry.cooldownDefaultMs() > retry.cooldownMaxMs()) {
            problem(path + ".cooldownDefaultMs", "must be between cooldownMinMs and cooldownMaxMs");
        }
        if (retry.ejectAfterFailures() < 1) {
            problem(path + ".ejectAfterFailures", "must be at least 1");
        }
        positive(path + ".ejectMs", retry.ejectMs());
        if (retry.ejectMaxMs() < retry.ejectMs()) {
            problem(path + ".ejectMaxMs", "must not be less than ejectMs");
        }
        positive(path + ".disabledMs", retry.disabledMs());
    }

    private List<LicenseConfig> licenses(List<LicenseConfig> licenses, Set<String> platformKeys) {
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> digests = new HashMap<>();
        List<LicenseConfig> normalised = new ArrayList<>(licenses.size());
        for (int i = 0; i < licenses.size(); i++) {
            LicenseConfig license = licenses.get(i);
            String path = ConfigPath.index("licenses", i);
            String name = license.name();
            if (name == null || name.isBlank()) {
                problem(path + ".name", "required");
            } else if (hasControlCharacter(name)) {
                problem(path + ".name", "must not contain control characters (it is written to logs)");
            } else if (names.putIfAbsent(name, i) != null) {
                problem(path + ".name", "duplicate: licenses[" + names.get(name) + "] has the same name");
            }
            String digest = license.keySha256();
            if (digest == null) {
                problem(path + ".keySha256", "required (the SHA-256 of the license key as 64 hex digits)");
            } else if (!SHA256_HEX.matcher(digest).matches()) {
                problem(path + ".keySha256", "must be exactly 64 hex digits (the SHA-256 of the license key)");
            } else {
                digest = digest.toLowerCase(Locale.ROOT);
                if (digests.putIfAbsent(digest, i) != null) {
                    problem(path + ".keySha256", "duplicate: licenses[" + digests.get(digest) + "] has the same key");
                }
            }
            licensePlatforms(path + ".platforms", license.platforms(), platformKeys);
            allowedModels(path + ".models", license.models());
            callerLimits(path + ".limits", license.limits());
            normalised.add(new LicenseConfig(name, digest, license.platforms(), license.models(), license.expiresAt(),
                    license.limits()));
        }
        return normalised;
    }

    private List<AppConfig> apps(List<AppConfig> apps, Set<String> platformKeys) {
        Map<String, Integer> ids = new HashMap<>();
        List<AppConfig> normalised = new ArrayList<>(apps.size());
        for (int i = 0; i < apps.size(); i++) {
            AppConfig app = apps.get(i);
            String path = ConfigPath.index("apps", i);
            String appId = app.appId();
            if (appId == null) {
                problem(path + ".appId", "required");
            } else if (!APP_ID.matcher(appId).matches()) {
                problem(path + ".appId", "must match " + APP_ID.pattern() + " (it comes before the ':' of appId:appKey)");
            } else if (ids.putIfAbsent(appId, i) != null) {
                problem(path + ".appId", "duplicate: apps[" + ids.get(appId) + "] has the same appId");
            }
            String digest = app.keySha256();
            if (digest == null) {
                problem(path + ".keySha256", "required (the SHA-256 of the app key as 64 hex digits)");
            } else if (!SHA256_HEX.matcher(digest).matches()) {
                problem(path + ".keySha256", "must be exactly 64 hex digits (the SHA-256 of the app key)");
            } else {
                digest = digest.toLowerCase(Locale.ROOT);
            }
            licensePlatforms(path + ".platforms", app.platforms(), platformKeys);
            allowedModels(path + ".models", app.models());
            callerLimits(path + ".limits", app.limits());
            normalised.add(new AppConfig(appId, digest, app.platforms(), app.models(), app.expiresAt(), app.limits()));
        }
        return normalised;
    }

    /** A caller's model allow-list: absent means any model; present, each entry is a name or a glob with {@code *}. */
    private void allowedModels(String path, List<String> models) {
        if (models == null) {
            return;
        }
        if (models.isEmpty()) {
            problem(path, "must not be empty; omit models to allow every model");
        }
        for (int i = 0; i < models.size(); i++) {
            String model = models.get(i);
            if (model.isBlank()) {
                problem(ConfigPath.index(path, i), "must not be blank");
            } else if (hasControlCharacter(model)) {
                problem(ConfigPath.index(path, i), "must not contain control characters");
            }
        }
    }

    private void licensePlatforms(String path, List<String> platforms, Set<String> platformKeys) {
        if (platforms.isEmpty()) {
            problem(path, "at least one platform key or \"*\" (all platforms) is required");
        }
        for (int i = 0; i < platforms.size(); i++) {
            String platform = platforms.get(i);
            if (!platform.equals("*") && !platformKeys.contains(platform)) {
                problem(ConfigPath.index(path, i), "no such platform (configured: " + String.join(", ", platformKeys)
                        + "; \"*\" means all)");
            }
        }
    }

    private void limits(LimitsConfig limits) {
        positive("limits.maxRequestBytes", limits.maxRequestBytes());
        positive("limits.maxResponseBytes", limits.maxResponseBytes());
        positive("limits.maxStreamBufferBytes", limits.maxStreamBufferBytes());
        positive("limits.maxEventBytes", limits.maxEventBytes());
        if (limits.maxJsonDepth() < 2 || limits.maxJsonDepth() > 1000) {
            problem("limits.maxJsonDepth", "must be between 2 and 1000");
        }
        positive("limits.maxInFlight", limits.maxInFlight());
        positive("limits.callerMaxConcurrent", limits.callerMaxConcurrent());
        positive("limits.callerRequestsPerMinute", limits.callerRequestsPerMinute());
        positive("limits.maxAuthFailures", limits.maxAuthFailures());
        positive("limits.authFailureWindowMs", limits.authFailureWindowMs());
        positive("limits.maxTrackedAddresses", limits.maxTrackedAddresses());
    }

    /** A license's or app's own limits: each field absent (the default) or greater than 0. */
    private void callerLimits(String path, CallerLimitsConfig limits) {
        if (limits.maxConcurrent() != null) {
            positive(path + ".maxConcurrent", limits.maxConcurrent());
        }
        if (limits.requestsPerMinute() != null) {
            positive(path + ".requestsPerMinute", limits.requestsPerMinute());
        }
    }

    private void upstream(UpstreamConfig upstream) {
        positive("upstream.maxConnections", upstream.maxConnections());
        if (upstream.ioThreads() < 0) {
            problem("upstream.ioThreads", "must not be negative (0 means one per core)");
        }
    }

    private void positive(String path, long value) {
        if (value <= 0) {
            problem(path, "must be greater than 0");
        }
    }

    private static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    private static String knownTypes() {
        return String.join(", ", new TreeSet<>(KNOWN_TYPES));
    }

    private void problem(String path, String message) {
        problems.add(ConfigPath.problem(path, message));
    }
}
