package dev.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.LicenseConfig;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PassThroughCredentialsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String LICENSE = "sb-lic-pass-0123456789";
    private static final String EXPIRED = "sb-lic-old-0123456789";
    private static final String VENDOR = "sk-proj-vendor-token-abc";

    private final Licenses licenses = new Licenses(List.of(
            new LicenseConfig("team-a", digest(LICENSE), List.of("openai"), List.of("gpt-*"), null, null),
            new LicenseConfig("old", digest(EXPIRED), List.of("*"), null, NOW, null)));

    private static String digest(String key) {
        return HexFormat.of().formatHex(Apps.sha256(key));
    }

    private Optional<Caller> identify(List<String> tokensAuthorization, List<String> authorization) {
        return PassThroughCredentials.identify(tokensAuthorization, authorization, licenses, NOW);
    }

    @Test
    void licenseAndVendorTokenEachWithOrWithoutBearer() {
        for (String license : List.of(LICENSE, "Bearer " + LICENSE, "bearer  " + LICENSE, " BEARER\t" + LICENSE)) {
            for (String vendor : List.of(VENDOR, "Bearer " + VENDOR, "bearer " + VENDOR + " ")) {
                Caller caller = identify(List.of(license), List.of(vendor)).orElseThrow(() -> new AssertionError(
                        license + " / " + vendor));
                assertEquals("team-a", caller.name());
                assertEquals("pass-through", caller.mode());
                assertEquals(VENDOR, caller.vendorToken());
                assertTrue(caller.passThrough());
                // The license's allow-lists still apply.
                assertEquals(List.of("openai"), caller.platforms());
                assertTrue(caller.mayUseModel("gpt-4o"));
                assertFalse(caller.mayUseModel("claude-sonnet-4"));
            }
        }
    }

    @Test
    void everyMissingRepeatedMalformedUnknownOrExpiredPartIsRefused() {
        List<List<List<String>>> refused = List.of(
                List.of(List.of(), List.of(VENDOR)),
                List.of(List.of(""), List.of(VENDOR)),
                List.of(List.of("Bearer"), List.of(VENDOR)),
                List.of(List.of("Bearer "), List.of(VENDOR)),
                List.of(List.of("sb-unknown"), List.of(VENDOR)),
                List.of(List.of(EXPIRED), List.of(VENDOR)),
                List.of(List.of(LICENSE, LICENSE), List.of(VENDOR)),
                List.of(List.of(LICENSE + "x"), List.of(VENDOR)),
                List.of(List.of(LICENSE), List.of()),
                List.of(List.of(LICENSE), List.of("")),
                List.of(List.of(LICENSE), List.of("Bearer")),
                List.of(List.of(LICENSE), List.of("Bearer   ")),
                List.of(List.of(LICENSE), List.of(VENDOR, VENDOR)),
                // Anything that could split a header or a log line upstream, and spaces inside a token.
                List.of(List.of(LICENSE), List.of(VENDOR + "\r\nX-Injected: 1")),
                List.of(List.of(LICENSE), List.of("sk-a b")),
                List.of(List.of(LICENSE), List.of("sk-\u00e9")),
                List.of(List.of(LICENSE), List.of("x".repeat(4097))));
        for (List<List<String>> attempt : refused) {
            assertTrue(identify(attempt.get(0), attempt.get(1)).isEmpty(), attempt.toString());
        }
        assertTrue(identify(List.of(LICENSE), List.of("x".repeat(4096))).isPresent(), "JWT-sized tokens pass");
    }

    @Test
    void theVendorTokenNeverShowsInToString() {
        Caller caller = identify(List.of(LICENSE), List.of(VENDOR)).orElseThrow();
        assertFalse(caller.toString().contains(VENDOR), caller.toString());
        assertTrue(caller.toString().contains("pass-through"), caller.toString());
        assertFalse(Caller.license(new LicenseConfig("n", digest(LICENSE), List.of("*"), null, null, null)).passThrough());
    }
}
