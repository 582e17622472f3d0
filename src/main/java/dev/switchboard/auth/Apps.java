package dev.switchboard.auth;

import dev.switchboard.config.AppConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * App credential lookup; application-scoped, immutable. The app is found by its id (not a secret), then the SHA-256
 * of the presented key is compared with the stored digest by {@link MessageDigest#isEqual}, which takes the same
 * time wherever the digests differ (RELIABILITY.md, security must 2: no secret compared byte by byte).
 */
public final class Apps {
    private final Map<String, Entry> byId;

    private record Entry(AppConfig app, byte[] digest) {}

    public Apps(List<AppConfig> apps) {
        this.byId = apps.stream().collect(Collectors.toUnmodifiableMap(AppConfig::appId,
                app -> new Entry(app, HexFormat.of().parseHex(app.keySha256()))));
    }

    /** Whether {@code appId} names a configured app: decides that a {@code <appId>:<appKey>} bearer is app mode. */
    public boolean has(String appId) {
        return byId.containsKey(appId);
    }

    /** The live app for {@code appId} whose key is {@code appKey}; empty when unknown, wrong key, or expired. */
    public Optional<AppConfig> find(String appId, String appKey, Instant now) {
        Entry entry = byId.get(appId);
        byte[] presented = sha256(appKey); // hashed even for an unknown app, so both paths cost the same
        if (entry == null || appKey.isEmpty() || !MessageDigest.isEqual(entry.digest(), presented)) {
            return Optional.empty();
        }
        AppConfig app = entry.app();
        if (app.expiresAt() != null && !now.isBefore(app.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(app);
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
