package dev.switchboard.auth;

import dev.switchboard.config.LicenseConfig;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * License lookup by SHA-256 digest; application-scoped, immutable. The key is hashed first and the digest used as a
 * map key, so no secret is ever compared byte by byte (RELIABILITY.md, security must 2).
 */
public final class Licenses {
    private final Map<String, LicenseConfig> byDigest;

    public Licenses(List<LicenseConfig> licenses) {
        this.byDigest = licenses.stream().collect(Collectors.toUnmodifiableMap(
                license -> license.keySha256().toLowerCase(java.util.Locale.ROOT), Function.identity()));
    }

    /** The live license for {@code key}; empty when unknown or expired at {@code now}. */
    public Optional<LicenseConfig> find(String key, Instant now) {
        LicenseConfig license = byDigest.get(sha256Hex(key));
        if (license == null || (license.expiresAt() != null && !now.isBefore(license.expiresAt()))) {
            return Optional.empty();
        }
        return Optional.of(license);
    }

    static String sha256Hex(String key) {
        return HexFormat.of().formatHex(Apps.sha256(key));
    }
}
