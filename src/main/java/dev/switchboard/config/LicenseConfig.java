package dev.switchboard.config;

import java.time.Instant;
import java.util.List;

/**
 * One license: a caller credential the gateway recognises by its SHA-256 digest only.
 *
 * @param name      shown in logs as the caller; never the key
 * @param keySha256 lower- or upper-case hex SHA-256 of the license key (64 hex digits)
 * @param platforms platform prefixes this license may use; {@code "*"} means all
 * @param models    public model names or globs ({@code "gpt-4o*"}) this license may use; {@code null} means any
 * @param expiresAt when the license stops working; {@code null} means never
 * @param limits    this license's concurrency and rate limits; absent fields take the top-level defaults
 */
public record LicenseConfig(String name, String keySha256, List<String> platforms, List<String> models,
        Instant expiresAt, CallerLimitsConfig limits) {

    public LicenseConfig {
        platforms = platforms == null ? List.of() : List.copyOf(platforms);
        models = models == null ? null : List.copyOf(models);
        limits = limits == null ? CallerLimitsConfig.DEFAULTS : limits;
    }

    public boolean allowsPlatform(String platform) {
        return platforms.contains("*") || platforms.contains(platform);
    }
}
