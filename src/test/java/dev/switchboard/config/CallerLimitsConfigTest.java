package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-caller limits of licenses and apps, their top-level defaults, and how the loader checks them. */
class CallerLimitsConfigTest {
    private static final String CONFIG = """
            {
              "licenses": [ { "name": "team-a", "keySha256": "%s", "platforms": ["*"] LICENSE_LIMITS } ],
              "apps": [ { "appId": "1234", "keySha256": "%s", "platforms": ["*"] APP_LIMITS } ],
              "platforms": { "mock": { "type": "mock" } }
              TOP_LIMITS
            }
            """.formatted("a".repeat(64), "b".repeat(64));

    @TempDir
    Path dir;

    @Test
    void absentLimitsAreTheDocumentedDefaults() throws IOException {
        GatewayConfig config = load(CONFIG, "", "", "");

        LimitsConfig limits = config.limits();
        assertEquals(10_000, limits.maxInFlight());
        assertEquals(1_000, limits.callerMaxConcurrent());
        assertEquals(6_000, limits.callerRequestsPerMinute());
        assertEquals(20, limits.maxAuthFailures());
        assertEquals(60_000L, limits.authFailureWindowMs());
        assertEquals(10_000, limits.maxTrackedAddresses());
        assertEquals(CallerLimitsConfig.DEFAULTS, config.licenses().get(0).limits());
        assertEquals(new CallerLimitsConfig(1_000, 6_000), config.apps().get(0).limits().orDefaults(limits));
    }

    @Test
    void aCallersOwnLimitsOverrideTheDefaultsFieldByField() throws IOException {
        GatewayConfig config = load(CONFIG, ", \"limits\": { \"maxConcurrent\": 3 }",
                ", \"limits\": { \"requestsPerMinute\": 120 }",
                ", \"limits\": { \"callerMaxConcurrent\": 50, \"callerRequestsPerMinute\": 600, \"maxInFlight\": 9 }");

        assertEquals(new CallerLimitsConfig(3, 600), config.licenses().get(0).limits().orDefaults(config.limits()));
        assertEquals(new CallerLimitsConfig(50, 120), config.apps().get(0).limits().orDefaults(config.limits()));
        assertEquals(9, config.limits().maxInFlight());
    }

    @Test
    void everyLimitMustBePositiveAndEveryProblemIsNamed() throws IOException {
        String message = failure(CONFIG, ", \"limits\": { \"maxConcurrent\": 0, \"requestsPerMinute\": -1 }",
                ", \"limits\": { \"maxConcurrent\": 0 }",
                ", \"limits\": { \"maxInFlight\": 0, \"callerMaxConcurrent\": 0, \"callerRequestsPerMinute\": 0,"
                        + " \"maxAuthFailures\": 0, \"authFailureWindowMs\": 0, \"maxTrackedAddresses\": -5 }");

        assertEquals(String.join("\n",
                prefix() + "licenses[0].limits.maxConcurrent: must be greater than 0",
                prefix() + "licenses[0].limits.requestsPerMinute: must be greater than 0",
                prefix() + "apps[0].limits.maxConcurrent: must be greater than 0",
                prefix() + "limits.maxInFlight: must be greater than 0",
                prefix() + "limits.callerMaxConcurrent: must be greater than 0",
                prefix() + "limits.callerRequestsPerMinute: must be greater than 0",
                prefix() + "limits.maxAuthFailures: must be greater than 0",
                prefix() + "limits.authFailureWindowMs: must be greater than 0",
                prefix() + "limits.maxTrackedAddresses: must be greater than 0"), message);
    }

    @Test
    void unknownFieldsAndWrongTypesInACallersLimitsAreNamed() throws IOException {
        String message = failure(CONFIG, ", \"limits\": { \"maxConcurrency\": 3 }",
                ", \"limits\": { \"requestsPerMinute\": \"60\" }", "");

        assertEquals(prefix() + "licenses[0].limits.maxConcurrency: unknown field (known: maxConcurrent,"
                + " requestsPerMinute)\n"
                + prefix() + "apps[0].limits.requestsPerMinute: expected an integer, got a string", message);
    }

    private GatewayConfig load(String template, String license, String app, String top) throws IOException {
        return ConfigLoader.load(write(template, license, app, top), Map.<String, String>of()::get);
    }

    private String failure(String template, String license, String app, String top) throws IOException {
        Path file = write(template, license, app, top);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.<String, String>of()::get))
                .getMessage();
    }

    private Path write(String template, String license, String app, String top) throws IOException {
        Path file = dir.resolve("switchboard.json");
        Files.writeString(file, template.replace("LICENSE_LIMITS", license).replace("APP_LIMITS", app)
                .replace("TOP_LIMITS", top), StandardCharsets.UTF_8);
        return file;
    }

    private String prefix() {
        return "config " + dir.resolve("switchboard.json").toAbsolutePath() + ": ";
    }
}
