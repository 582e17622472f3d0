package dev.switchboard.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Per-validation: the rules for the callers, the {@code licenses} and {@code apps} sections, with each caller's
 * platforms, model allow-list and own limits. Returns them normalised (lower-case key digests).
 */
final class CallerRules {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    /** An app id is the part of {@code <appId>:<appKey>} before the first colon, and it is written to logs. */
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ConfigProblems problems;
    private final Set<String> platformKeys;

    /** @param platformKeys the configured platforms, which a caller's {@code platforms} may name */
    CallerRules(ConfigProblems problems, Set<String> platformKeys) {
        this.problems = problems;
        this.platformKeys = platformKeys;
    }

    List<LicenseConfig> licenses(List<LicenseConfig> licenses) {
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> digests = new HashMap<>();
        List<LicenseConfig> normalised = new ArrayList<>(licenses.size());
        for (int i = 0; i < licenses.size(); i++) {
            LicenseConfig license = licenses.get(i);
            String path = ConfigPath.index("licenses", i);
            String name = license.name();
            if (name == null || name.isBlank()) {
                problems.add(path + ".name", "required");
            } else if (ConfigProblems.hasControlCharacter(name)) {
                problems.add(path + ".name", "must not contain control characters (it is written to logs)");
            } else if (names.putIfAbsent(name, i) != null) {
                problems.add(path + ".name", "duplicate: licenses[" + names.get(name) + "] has the same name");
            }
            String digest = license.keySha256();
            if (digest == null) {
                problems.add(path + ".keySha256", "required (the SHA-256 of the license key as 64 hex digits)");
            } else if (!SHA256_HEX.matcher(digest).matches()) {
                problems.add(path + ".keySha256", "must be exactly 64 hex digits (the SHA-256 of the license key)");
            } else {
                digest = digest.toLowerCase(Locale.ROOT);
                if (digests.putIfAbsent(digest, i) != null) {
                    problems.add(path + ".keySha256",
                            "duplicate: licenses[" + digests.get(digest) + "] has the same key");
                }
            }
            callerPlatforms(path + ".platforms", license.platforms());
            allowedModels(path + ".models", license.models());
            callerLimits(path + ".limits", license.limits());
            normalised.add(new LicenseConfig(name, digest, license.platforms(), license.models(), license.expiresAt(),
                    license.limits()));
        }
        return normalised;
    }

    List<AppConfig> apps(List<AppConfig> apps) {
        Map<String, Integer> ids = new HashMap<>();
        List<AppConfig> normalised = new ArrayList<>(apps.size());
        for (int i = 0; i < apps.size(); i++) {
            AppConfig app = apps.get(i);
            String path = ConfigPath.index("apps", i);
            String appId = app.appId();
            if (appId == null) {
                problems.add(path + ".appId", "required");
            } else if (!APP_ID.matcher(appId).matches()) {
                problems.add(path + ".appId",
                        "must match " + APP_ID.pattern() + " (it comes before the ':' of appId:appKey)");
            } else if (ids.putIfAbsent(appId, i) != null) {
                problems.add(path + ".appId", "duplicate: apps[" + ids.get(appId) + "] has the same appId");
            }
            String digest = app.keySha256();
            if (digest == null) {
                problems.add(path + ".keySha256", "required (the SHA-256 of the app key as 64 hex digits)");
            } else if (!SHA256_HEX.matcher(digest).matches()) {
                problems.add(path + ".keySha256", "must be exactly 64 hex digits (the SHA-256 of the app key)");
            } else {
                digest = digest.toLowerCase(Locale.ROOT);
            }
            callerPlatforms(path + ".platforms", app.platforms());
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
            problems.add(path, "must not be empty; omit models to allow every model");
        }
        for (int i = 0; i < models.size(); i++) {
            String model = models.get(i);
            if (model.isBlank()) {
                problems.add(ConfigPath.index(path, i), "must not be blank");
            } else if (ConfigProblems.hasControlCharacter(model)) {
                problems.add(ConfigPath.index(path, i), "must not contain control characters");
            }
        }
    }

    private void callerPlatforms(String path, List<String> platforms) {
        if (platforms.isEmpty()) {
            problems.add(path, "at least one platform key or \"*\" (all platforms) is required");
        }
        for (int i = 0; i < platforms.size(); i++) {
            String platform = platforms.get(i);
            if (!platform.equals("*") && !platformKeys.contains(platform)) {
                problems.add(ConfigPath.index(path, i), "no such platform (configured: "
                        + String.join(", ", platformKeys) + "; \"*\" means all)");
            }
        }
    }

    /** A license's or app's own limits: each field absent (the default) or greater than 0. */
    private void callerLimits(String path, CallerLimitsConfig limits) {
        if (limits.maxConcurrent() != null) {
            problems.positive(path + ".maxConcurrent", limits.maxConcurrent());
        }
        if (limits.requestsPerMinute() != null) {
            problems.positive(path + ".requestsPerMinute", limits.requestsPerMinute());
        }
    }
}
