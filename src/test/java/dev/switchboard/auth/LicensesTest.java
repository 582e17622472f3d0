package dev.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.LicenseConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class LicensesTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String KEY_A = "sb-lic-alpha-0123456789";
    private static final String KEY_B = "sb-lic-bravo-9876543210";

    private final LicenseConfig alpha = license("alpha", digest(KEY_A), null);
    private final LicenseConfig bravo = license("bravo", digest(KEY_B), null);

    @Test
    void foundByKey() {
        Licenses licenses = new Licenses(List.of(alpha, bravo));

        assertEquals(alpha, licenses.find(KEY_A, NOW).orElseThrow());
        assertEquals(bravo, licenses.find(KEY_B, NOW).orElseThrow());
    }

    @Test
    void unknownKeyIsNotFound() {
        Licenses licenses = new Licenses(List.of(alpha));

        assertTrue(licenses.find(KEY_B, NOW).isEmpty());
        assertTrue(licenses.find("", NOW).isEmpty());
        assertTrue(licenses.find(KEY_A + " ", NOW).isEmpty());
        assertTrue(licenses.find(KEY_A.toUpperCase(Locale.ROOT), NOW).isEmpty());
    }

    @Test
    void digestIsNotAKey() {
        Licenses licenses = new Licenses(List.of(alpha));

        assertTrue(licenses.find(digest(KEY_A), NOW).isEmpty());
    }

    @Test
    void noLicensesFindsNothing() {
        assertTrue(new Licenses(List.of()).find(KEY_A, NOW).isEmpty());
    }

    @Test
    void expiredAtThatInstant() {
        Licenses licenses = new Licenses(List.of(license("alpha", digest(KEY_A), NOW)));

        assertTrue(licenses.find(KEY_A, NOW).isEmpty());
        assertTrue(licenses.find(KEY_A, NOW.plusSeconds(3600)).isEmpty());
    }

    @Test
    void liveUntilTheInstant() {
        Licenses licenses = new Licenses(List.of(license("alpha", digest(KEY_A), NOW.plusSeconds(1))));

        assertEquals("alpha", licenses.find(KEY_A, NOW).orElseThrow().name());
        assertEquals("alpha", licenses.find(KEY_A, NOW.plusMillis(999)).orElseThrow().name());
        assertTrue(licenses.find(KEY_A, NOW.plusSeconds(1)).isEmpty());
    }

    @Test
    void withoutExpiryNeverExpires() {
        Licenses licenses = new Licenses(List.of(alpha));

        assertTrue(licenses.find(KEY_A, Instant.parse("2999-12-31T23:59:59Z")).isPresent());
    }

    @Test
    void expiryOfOneLicenseLeavesOthersAlone() {
        Licenses licenses = new Licenses(List.of(license("alpha", digest(KEY_A), NOW.minusSeconds(1)), bravo));

        assertTrue(licenses.find(KEY_A, NOW).isEmpty());
        assertTrue(licenses.find(KEY_B, NOW).isPresent());
    }

    @Test
    void upperCaseDigestInConfigWorks() {
        Licenses licenses = new Licenses(List.of(license("alpha", digest(KEY_A).toUpperCase(Locale.ROOT), null)));

        assertEquals("alpha", licenses.find(KEY_A, NOW).orElseThrow().name());
    }

    @Test
    void nonAsciiKeyIsHashedAsUtf8() {
        String key = "clé-日本-🎉";
        Licenses licenses = new Licenses(List.of(license("unicode", digest(key), null)));

        assertEquals("unicode", licenses.find(key, NOW).orElseThrow().name());
    }

    private static LicenseConfig license(String name, String keySha256, Instant expiresAt) {
        return new LicenseConfig(name, keySha256, List.of("*"), null, expiresAt, null);
    }

    /** Computed here rather than with the class under test, so a wrong digest in it cannot agree with itself. */
    private static String digest(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
