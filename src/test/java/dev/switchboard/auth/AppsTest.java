package dev.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.AppConfig;
import dev.switchboard.config.LicenseConfig;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String KEY = "app-key-0123456789";
    private static final String LICENSE_KEY = "sb-lic-alpha-0123456789";

    private static String digest(String key) {
        return HexFormat.of().formatHex(Apps.sha256(key));
    }

    private final AppConfig app = new AppConfig("1234", digest(KEY), List.of("*"), List.of("gpt-4o"), null, null);
    private final Apps apps = new Apps(List.of(app,
            new AppConfig("old", digest(KEY), List.of("*"), null, NOW, null),
            new AppConfig("later", digest(KEY), List.of("*"), null, NOW.plusSeconds(1), null)));
    private final Licenses licenses = new Licenses(List.of(
            new LicenseConfig("team-a", digest(LICENSE_KEY), List.of("*"), List.of("mock-*"), null, null),
            new LicenseConfig("colon", digest("1234x:" + KEY), List.of("*"), null, null, null)));

    @Test
    void foundByIdAndKey() {
        assertEquals(app, apps.find("1234", KEY, NOW).orElseThrow());
        assertTrue(apps.has("1234"));
        assertFalse(apps.has("12345"));
    }

    @Test
    void wrongKeyUnknownAppOrEmptyKeyIsNotFound() {
        assertTrue(apps.find("1234", KEY + "x", NOW).isEmpty());
        assertTrue(apps.find("1234", "", NOW).isEmpty());
        assertTrue(apps.find("9999", KEY, NOW).isEmpty());
        assertTrue(apps.find("1234", KEY.toUpperCase(), NOW).isEmpty());
    }

    @Test
    void expiresAtItsInstant() {
        assertTrue(apps.find("old", KEY, NOW).isEmpty());
        assertTrue(apps.find("later", KEY, NOW).isPresent());
        assertTrue(apps.find("later", KEY, NOW.plusSeconds(1)).isEmpty());
    }

    @Test
    void upperCaseDigestInConfigStillMatches() {
        Apps upper = new Apps(List.of(new AppConfig("u", digest(KEY).toUpperCase(), List.of("*"), null, null, null)));
        assertTrue(upper.find("u", KEY, NOW).isPresent());
    }

    @Test
    void bearerShapeDecidesTheMode() {
        Optional<Caller> appCaller = LicenseFilter.identify("1234:" + KEY, licenses, apps, NOW);
        assertEquals("app:1234", appCaller.orElseThrow().name());
        assertEquals("app", appCaller.orElseThrow().mode());
        assertEquals(List.of("gpt-4o"), appCaller.orElseThrow().models());

        Optional<Caller> licenseCaller = LicenseFilter.identify(LICENSE_KEY, licenses, apps, NOW);
        assertEquals("license", licenseCaller.orElseThrow().mode());
        assertEquals(List.of("mock-*"), licenseCaller.orElseThrow().models());
        // A colon whose prefix is no app id: the whole token is a license key.
        assertEquals("colon", LicenseFilter.identify("1234x:" + KEY, licenses, apps, NOW).orElseThrow().name());
    }

    @Test
    void everyAppFailureIsEmpty() {
        for (String token : List.of("1234:", ":" + KEY, "9999:" + KEY, "1234:" + KEY + "x", "old:" + KEY,
                "1234" + KEY, "1234::" + KEY)) {
            assertTrue(LicenseFilter.identify(token, licenses, apps, NOW).isEmpty(), token);
        }
    }
}
