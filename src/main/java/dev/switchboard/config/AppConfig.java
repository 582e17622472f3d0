package dev.switchboard.config;

import java.time.Instant;
import java.util.List;

/**
 * One application registered on the internal AI platform: it calls with {@code Authorization: Bearer <appId>:<appKey>}
 * (the whole value is what the OpenAI SDKs call {@code api_key}); the gateway stores only the key's SHA-256 digest.
 *
 * @param appId     the application's id, shown in logs as {@code app:<appId>}; {@code [A-Za-z0-9._-]{1,64}}, so it
 *                  never contains the {@code :} that separates it from the key
 * @param keySha256 hex SHA-256 of the app key (64 hex digits; normalised to lower case)
 * @param platforms platform prefixes this app may use; {@code "*"} means all
 * @param models    public model names or globs ({@code "gemini-*"}) this app may use; {@code null} means any
 * @param expiresAt when the app's key stops working; {@code null} means never
 * @param limits    this app's concurrency and rate limits; absent fields take the top-level defaults
 */
public record AppConfig(String appId, String keySha256, List<String> platforms, List<String> models,
        Instant expiresAt, CallerLimitsConfig limits) {

    public AppConfig {
        platforms = platforms == null ? List.of() : List.copyOf(platforms);
        models = models == null ? null : List.copyOf(models);
        limits = limits == null ? CallerLimitsConfig.DEFAULTS : limits;
    }
}
