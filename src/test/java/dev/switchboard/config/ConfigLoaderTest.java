package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static final String DIGEST = "0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef";
    private static final String OTHER_DIGEST = "f".repeat(64);

    /** The documented example; {@code %s} slots let a test swap one piece. */
    private static final String VALID = """
            {
              "licenses": [ { "name": "team-a", "keySha256": "%s", "platforms": ["*"],
                              "expiresAt": "2027-06-30T00:00:00Z" } ],
              "platforms": {
                "openai":   { "type": "openai", "baseUrl": "https://api.openai.com/v1/", "tokens": ["${OPENAI_API_KEY}"],
                              "models": { "gpt-4o": "gpt-4o", "gpt-4o-mini": "gpt-4o-mini" },
                              "timeouts": { "connectMs": 2000 } },
                "deepseek": { "type": "openai", "baseUrl": "https://api.deepseek.com/v1",
                              "tokens": ["${DEEPSEEK_API_KEY}", "${DEEPSEEK_API_KEY_2}"] },
                "mock":     { "type": "mock" }
              },
              "limits": { "maxRequestBytes": 1048576 }
            }
            """.formatted(DIGEST);

    @TempDir
    Path dir;

    private Path file;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void environment() {
        file = dir.resolve("switchboard.json");
        env.put("OPENAI_API_KEY", "sk-openai-secret-1");
        env.put("DEEPSEEK_API_KEY", "sk-deepseek-secret-1");
        env.put("DEEPSEEK_API_KEY_2", "sk-deepseek-secret-2");
    }

    @Test
    void fullValidConfigBindsEveryFieldAndAppliesDefaults() throws IOException {
        GatewayConfig config = load(VALID);

        LicenseConfig license = config.licenses().get(0);
        assertEquals(1, config.licenses().size());
        assertEquals("team-a", license.name());
        assertEquals(DIGEST.toLowerCase(), license.keySha256());
        assertEquals(List.of("*"), license.platforms());
        assertEquals(Instant.parse("2027-06-30T00:00:00Z"), license.expiresAt());

        assertEquals(List.of("openai", "deepseek", "mock"), List.copyOf(config.platforms().keySet()));
        PlatformConfig openai = config.platforms().get("openai");
        assertEquals("openai", openai.type());
        assertEquals("https://api.openai.com/v1", openai.baseUrl());
        assertEquals(List.of("sk-openai-secret-1"), openai.tokens());
        assertEquals(List.of("gpt-4o", "gpt-4o-mini"), List.copyOf(openai.models().keySet()));
        assertEquals("gpt-4o-mini", openai.models().get("gpt-4o-mini"));
        assertEquals(new TimeoutsConfig(2000L, 60_000L, 300_000L, 15_000L, 1_800_000L), openai.timeouts());
        assertEquals(MockConfig.DEFAULTS, openai.mock());

        PlatformConfig deepseek = config.platforms().get("deepseek");
        assertEquals("https://api.deepseek.com/v1", deepseek.baseUrl());
        assertEquals(List.of("sk-deepseek-secret-1", "sk-deepseek-secret-2"), deepseek.tokens());
        assertNull(deepseek.models());
        assertEquals(TimeoutsConfig.DEFAULTS, deepseek.timeouts());

        PlatformConfig mock = config.platforms().get("mock");
        assertEquals("mock", mock.type());
        assertNull(mock.baseUrl());
        assertEquals(List.of(), mock.tokens());
        assertEquals(30L, mock.mock().delayMs());

        assertEquals(new LimitsConfig(1_048_576L, 32L * 1024 * 1024, 256 * 1024, 4 * 1024 * 1024, 64, 10_000, 1_000, 6_000,
                20, 60_000L, 10_000), config.limits());
        assertEquals(new UpstreamConfig(10_000, 0), config.upstream());
    }

    @Test
    void nullMeansAbsentAndOffsetInstantsAreAccepted() throws IOException {
        GatewayConfig config = load(VALID.replace("\"limits\": { \"maxRequestBytes\": 1048576 }",
                "\"limits\": null, \"upstream\": { \"maxConnections\": 5e2, \"ioThreads\": null }")
                .replace("2027-06-30T00:00:00Z", "2027-06-30T02:00:00+02:00"));

        assertEquals(LimitsConfig.DEFAULTS, config.limits());
        assertEquals(new UpstreamConfig(500, 0), config.upstream());
        assertEquals(Instant.parse("2027-06-30T00:00:00Z"), config.licenses().get(0).expiresAt());
    }

    @Test
    void substitutesSeveralVariablesInOneStringAndNeverRescansValues() throws IOException {
        env.put("A", "alpha");
        env.put("B", "${OPENAI_API_KEY}");

        GatewayConfig config = load(VALID.replace("[\"${OPENAI_API_KEY}\"]", "[\"Bearer ${A}-${B}.${A}\"]")
                .replace("\"name\": \"team-a\"", "\"name\": \"team-${A}\""));

        assertEquals(List.of("Bearer alpha-${OPENAI_API_KEY}.alpha"), config.platforms().get("openai").tokens());
        assertEquals("team-alpha", config.licenses().get(0).name());
    }

    @Test
    void missingVariableNamesFileFieldAndVariableButNoValue() throws IOException {
        env.remove("DEEPSEEK_API_KEY_2");

        String message = failure(VALID.replace("\"${DEEPSEEK_API_KEY_2}\"", "\"x-${DEEPSEEK_API_KEY}-${DEEPSEEK_API_KEY_2}\""));

        assertEquals(prefix() + "platforms.deepseek.tokens[1]: environment variable DEEPSEEK_API_KEY_2 is not set",
                message);
        assertNoSecrets(message);
    }

    @Test
    void malformedReferenceIsReportedWithoutTheText() throws IOException {
        String message = failure(VALID.replace("${OPENAI_API_KEY}", "sk-literal-${OPENAI_API_KEY"));

        assertEquals(prefix() + "platforms.openai.tokens[0]: malformed variable reference;"
                + " write ${NAME} with NAME of letters, digits and _", message);
        assertFalse(message.contains("sk-literal"), message);
    }

    @Test
    void unknownFieldAtTopLevel() throws IOException {
        String message = failure(VALID.replace("\"limits\"", "\"limit\""));

        assertEquals(prefix() + "limit: unknown field (known: licenses, apps, platforms, limits, upstream, routers)", message);
    }

    @Test
    void unknownFieldInPlatform() throws IOException {
        String message = failure(VALID.replace("\"baseUrl\": \"https://api.openai.com", "\"baseURL\": \"https://api.openai.com"));

        assertEquals(prefix() + "platforms.openai.baseURL: unknown field (known: type, baseUrl, tokens, models, timeouts, mock, defaultMaxTokens, apiVersion, retry, http2)",
                message);
    }

    @Test
    void http2IsOffByDefaultAndBindsPerPlatform() throws IOException {
        assertFalse(load(VALID).platforms().get("openai").http2());
        GatewayConfig config = load(VALID.replace("\"timeouts\": { \"connectMs\": 2000 }",
                "\"timeouts\": { \"connectMs\": 2000 }, \"http2\": true"));
        assertTrue(config.platforms().get("openai").http2());
        assertFalse(config.platforms().get("deepseek").http2());
    }

    @Test
    void http2OnAMockPlatformIsAProblem() throws IOException {
        String message = failure(VALID.replace("\"mock\":     { \"type\": \"mock\" }",
                "\"mock\":     { \"type\": \"mock\", \"http2\": true }"));
        assertEquals(prefix() + "platforms.mock.http2: not used by type mock (it has no upstream); remove it", message);
    }

    @Test
    void platformsOnOneUpstreamHostMustAgreeOnHttp2() throws IOException {
        // Same scheme, host and port (443 spelt out or not): one connection pool, so one protocol.
        String message = failure(VALID.replace("\"https://api.deepseek.com/v1\"",
                "\"https://api.openai.com:443/other/v1\", \"http2\": true"));
        assertEquals(prefix() + "platforms.deepseek.http2: must be the same as on platform openai, which uses the same"
                + " upstream scheme, host and port (connections are shared)", message);
        // Another port is another host.
        GatewayConfig config = load(VALID.replace("\"https://api.deepseek.com/v1\"",
                "\"https://api.openai.com:8443/v1\", \"http2\": true"));
        assertTrue(config.platforms().get("deepseek").http2());
    }

    @Test
    void vendorSettingsBindAndAreValidated() throws IOException {
        String withSettings = VALID.replace("\"baseUrl\": \"https://api.openai.com",
                "\"defaultMaxTokens\": 2048, \"apiVersion\": \"2024-10-21\", \"baseUrl\": \"https://api.openai.com");
        PlatformConfig openai = load(withSettings).platforms().get("openai");
        assertEquals(2048, openai.defaultMaxTokens());
        assertEquals("2024-10-21", openai.apiVersion());
        assertEquals(null, load(VALID).platforms().get("openai").defaultMaxTokens());

        String bad = VALID.replace("\"baseUrl\": \"https://api.openai.com",
                "\"defaultMaxTokens\": 0, \"apiVersion\": \"2024 10 21\", \"baseUrl\": \"https://api.openai.com");
        String message = failure(bad);
        assertTrue(message.contains("platforms.openai.defaultMaxTokens: must be greater than 0"), message);
        assertTrue(message.contains("platforms.openai.apiVersion: must be a version string"), message);
    }

    @Test
    void retryDefaultsApplyAndEveryFieldBinds() throws IOException {
        assertEquals(RetryConfig.DEFAULTS, load(VALID).platforms().get("openai").retry());
        assertEquals(new RetryConfig(2, 200L, 5_000L, 90_000L, 1_000L, 60_000L, 5_000L, 3, 30_000L, 300_000L,
                600_000L), RetryConfig.DEFAULTS);

        String withRetry = VALID.replace("\"timeouts\": { \"connectMs\": 2000 }", """
                "timeouts": { "connectMs": 2000 },
                "retry": { "maxRetries": 4, "backoffBaseMs": 100, "backoffCapMs": 1000, "deadlineMs": 20000,
                           "cooldownMinMs": 500, "cooldownMaxMs": 30000, "cooldownDefaultMs": 7000,
                           "ejectAfterFailures": 5, "ejectMs": 10000, "ejectMaxMs": 20000, "disabledMs": 60000 }""");
        assertEquals(new RetryConfig(4, 100L, 1_000L, 20_000L, 500L, 30_000L, 7_000L, 5, 10_000L, 20_000L, 60_000L),
                load(withRetry).platforms().get("openai").retry());
        assertEquals(RetryConfig.DEFAULTS, load(withRetry).platforms().get("deepseek").retry());
    }

    @Test
    void retryUnknownFieldAndWrongTypeNameTheField() throws IOException {
        String message = failure(VALID.replace("\"timeouts\": { \"connectMs\": 2000 }",
                "\"retry\": { \"maxRetry\": 1, \"deadlineMs\": \"90s\" }"));

        assertEquals(String.join("\n",
                prefix() + "platforms.openai.retry.maxRetry: unknown field (known: maxRetries, backoffBaseMs,"
                        + " backoffCapMs, deadlineMs, cooldownMinMs, cooldownMaxMs, cooldownDefaultMs,"
                        + " ejectAfterFailures, ejectMs, ejectMaxMs, disabledMs)",
                prefix() + "platforms.openai.retry.deadlineMs: expected an integer, got a string"), message);
    }

    @Test
    void retryRangesAndOrdering() throws IOException {
        String message = failure(VALID.replace("\"timeouts\": { \"connectMs\": 2000 }", """
                "retry": { "maxRetries": 11, "backoffBaseMs": 0, "backoffCapMs": -1, "deadlineMs": 0,
                           "cooldownMinMs": 2000, "cooldownMaxMs": 1000, "cooldownDefaultMs": 500,
                           "ejectAfterFailures": 0, "ejectMs": 5000, "ejectMaxMs": 4000, "disabledMs": 0 }"""));

        assertEquals(String.join("\n",
                prefix() + "platforms.openai.retry.maxRetries: must be between 0 and 10",
                prefix() + "platforms.openai.retry.backoffBaseMs: must be greater than 0",
                prefix() + "platforms.openai.retry.backoffCapMs: must be greater than 0",
                prefix() + "platforms.openai.retry.backoffCapMs: must not be less than backoffBaseMs",
                prefix() + "platforms.openai.retry.deadlineMs: must be greater than 0",
                prefix() + "platforms.openai.retry.cooldownMaxMs: must not be less than cooldownMinMs",
                prefix() + "platforms.openai.retry.cooldownDefaultMs: must be between cooldownMinMs and cooldownMaxMs",
                prefix() + "platforms.openai.retry.ejectAfterFailures: must be at least 1",
                prefix() + "platforms.openai.retry.ejectMaxMs: must not be less than ejectMs",
                prefix() + "platforms.openai.retry.disabledMs: must be greater than 0"), message);
    }

    @Test
    void unknownFieldInLicenseAndNestedSectionsAreAllReported() throws IOException {
        String message = failure(VALID.replace("\"keySha256\"", "\"key\"").replace("\"connectMs\"", "\"connect.ms\""));

        assertEquals(prefix() + "licenses[0].key: unknown field (known: name, keySha256, platforms, models, expiresAt, limits)\n"
                + prefix() + "platforms.openai.timeouts[\"connect.ms\"]: unknown field"
                + " (known: connectMs, firstByteMs, idleMs, heartbeatMs, maxStreamMs)", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`\"connectMs\": 2000`            | `\"connectMs\": \"2000\"`        | platforms.openai.timeouts.connectMs: expected an integer, got a string",
        "`\"connectMs\": 2000`            | `\"connectMs\": 2000.5`          | platforms.openai.timeouts.connectMs: expected an integer, got a fractional number",
        "`\"maxRequestBytes\": 1048576`   | `\"maxStreamBufferBytes\": 3000000000` | limits.maxStreamBufferBytes: out of range (-2147483648 to 2147483647)",
        "`[\"${OPENAI_API_KEY}\"]`        | `\"${OPENAI_API_KEY}\"`          | platforms.openai.tokens: expected an array, got a string",
        "`[\"${OPENAI_API_KEY}\"]`        | `[null]`                         | platforms.openai.tokens[0]: expected a string, got null",
        "`\"type\": \"mock\"`             | `\"type\": true`                 | platforms.mock.type: expected a string, got a boolean",
        "`\"gpt-4o\": \"gpt-4o\"`         | `\"gpt-4o\": [\"gpt-4o\"]`       | platforms.openai.models.gpt-4o: expected a string, got an array",
        "`\"timeouts\": {`                | `\"timeouts\": 5, \"x\": {`      | platforms.openai.timeouts: expected an object, got a number",
        "`2027-06-30T00:00:00Z`           | `2027-06-30`                     | licenses[0].expiresAt: expected an ISO-8601 instant such as 2027-06-30T00:00:00Z",
        "`\"expiresAt\": \"2027-06-30T00:00:00Z\"` | `\"expiresAt\": 1798675200` | licenses[0].expiresAt: expected a string, got a number",
    })
    void wrongTypesNameTheField(String find, String replace, String expected) throws IOException {
        String message = failure(VALID.replace(find, replace));

        assertTrue(message.startsWith(prefix() + expected), message);
    }

    @Test
    void topLevelMustBeAnObject() throws IOException {
        assertEquals(prefix() + "top level: expected an object, got an array", failure("[]"));
    }

    @Test
    void invalidValueFromEnvironmentIsNotQuoted() throws IOException {
        String message = failure(VALID.replace("2027-06-30T00:00:00Z", "${OPENAI_API_KEY}"));

        assertEquals(prefix() + "licenses[0].expiresAt: expected an ISO-8601 instant such as 2027-06-30T00:00:00Z",
                message);
    }

    @Test
    void bindingFailureNamesFieldButNotValue() {
        var tree = Json.createReader(new StringReader("{\"limits\": {\"maxRequestBytes\": \"sk-secret\"}}")).readValue();

        ConfigException failure = assertThrows(ConfigException.class, () -> ConfigLoader.bind(file, tree));

        assertTrue(failure.getMessage().startsWith(prefix() + "limits.maxRequestBytes: cannot bind"), failure.getMessage());
        assertFalse(failure.getMessage().contains("sk-secret"), failure.getMessage());
        assertNull(failure.getCause());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ftp://api.openai.com/v1           | must be an absolute http or https URL",
        "api.openai.com/v1                 | must be an absolute http or https URL",
        "https://user:sk-pw@api.openai.com | must not contain user info; credentials belong in tokens",
        "https://api.openai.com/v1?a=1     | must not have a query",
        "https://api.openai.com/v1#top     | must not have a fragment",
        "https:///v1                       | must name a host",
        "https://api.openai.com/v 1        | not a valid URL (RFC 3986)",
    })
    void badBaseUrl(String baseUrl, String expected) throws IOException {
        String message = failure(VALID.replace("https://api.openai.com/v1/", baseUrl));

        assertEquals(prefix() + "platforms.openai.baseUrl: " + expected, message);
        assertFalse(message.contains("sk-pw"), message);
    }

    @ParameterizedTest
    @CsvSource({
        "https://res.openai.azure.com",
        "https://res.openai.azure.com/",
        "https://res.openai.azure.com//",
    })
    void azureBaseUrlIsTheResourceRoot(String baseUrl) throws IOException {
        GatewayConfig config = load(VALID.replace("\"type\": \"openai\", \"baseUrl\": \"https://api.openai.com/v1/\"",
                "\"type\": \"azure-openai\", \"baseUrl\": \"" + baseUrl + "\""));

        assertEquals("https://res.openai.azure.com", config.platforms().get("openai").baseUrl());
    }

    @ParameterizedTest
    @CsvSource({
        "https://res.openai.azure.com/openai",
        "https://res.openai.azure.com/openai/deployments/gpt-4o/",
        "https://res.openai.azure.com/openai/v1",
    })
    void azureBaseUrlWithAPathIsRefused(String baseUrl) throws IOException {
        String message = failure(VALID.replace("\"type\": \"openai\", \"baseUrl\": \"https://api.openai.com/v1/\"",
                "\"type\": \"azure-openai\", \"baseUrl\": \"" + baseUrl + "\""));

        assertEquals(prefix() + "platforms.openai.baseUrl: must be the resource root without a path for type azure-openai"
                + " (such as https://NAME.openai.azure.com); deployments come from models", message);
    }

    @Test
    void openaiWithoutBaseUrlOrTokens() throws IOException {
        String message = failure(VALID.replace("\"baseUrl\": \"https://api.openai.com/v1/\", \"tokens\": [\"${OPENAI_API_KEY}\"],", ""));

        assertEquals(prefix() + "platforms.openai.baseUrl: required for type openai\n"
                + prefix() + "platforms.openai.tokens: at least one token is required for type openai", message);
    }

    @Test
    void tokensMustBeUsableAsHeaderValues() throws IOException {
        env.put("OPENAI_API_KEY", "sk-with-newline\n");

        String message = failure(VALID.replace("\"${DEEPSEEK_API_KEY_2}\"", "\" \""));

        assertEquals(prefix() + "platforms.openai.tokens[0]: must not contain control characters (a trailing newline?)\n"
                + prefix() + "platforms.deepseek.tokens[1]: must not be blank", message);
        assertFalse(message.contains("sk-with-newline"), message);
    }

    @Test
    void mockWithBaseUrlAndTokens() throws IOException {
        String message = failure(VALID.replace("{ \"type\": \"mock\" }",
                "{ \"type\": \"mock\", \"baseUrl\": \"http://localhost\", \"tokens\": [\"${OPENAI_API_KEY}\"] }"));

        assertEquals(prefix() + "platforms.mock.baseUrl: not used by type mock; remove it\n"
                + prefix() + "platforms.mock.tokens: not used by type mock; remove it", message);
        assertNoSecrets(message);
    }

    @Test
    void unknownOrMissingType() throws IOException {
        String message = failure(VALID.replace("\"type\": \"mock\"", "\"type\": \"bedrock\"")
                .replace("\"type\": \"openai\", \"baseUrl\": \"https://api.deepseek.com/v1\"",
                        "\"baseUrl\": \"https://api.deepseek.com/v1\""));

        assertEquals(prefix() + "platforms.deepseek.type: required (one of: anthropic, azure-openai, gemini, mock, openai)\n"
                + prefix() + "platforms.mock.type: unknown type (known: anthropic, azure-openai, gemini, mock, openai)", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "OpenAI   | platforms.OpenAI: a platform key is its URL prefix and must match [a-z0-9][a-z0-9._-]{0,62}",
        "-openai  | platforms.-openai: a platform key is its URL prefix and must match [a-z0-9][a-z0-9._-]{0,62}",
        "open ai  | platforms[\"open ai\"]: a platform key is its URL prefix and must match [a-z0-9][a-z0-9._-]{0,62}",
        "healthz  | platforms.healthz: reserved for the gateway's own paths (/healthz, /v1); choose another prefix",
        "v1       | platforms.v1: reserved for the gateway's own paths (/healthz, /v1); choose another prefix",
    })
    void badPlatformKey(String key, String expected) throws IOException {
        assertEquals(prefix() + expected, failure(VALID.replace("\"mock\":     {", "\"" + key + "\": {")));
    }

    @Test
    void platformKeyLengthAndCharacters() throws IOException {
        GatewayConfig config = load(VALID.replace("\"mock\":     {", "\"" + "a".repeat(63) + "\": {")
                .replace("\"deepseek\":", "\"deep-seek_2.x\":"));
        assertEquals(List.of("openai", "deep-seek_2.x", "a".repeat(63)), List.copyOf(config.platforms().keySet()));

        String message = failure(VALID.replace("\"mock\":     {", "\"" + "a".repeat(64) + "\": {"));
        assertTrue(message.startsWith(prefix() + "platforms." + "a".repeat(64) + ": a platform key"), message);
    }

    @Test
    void platformsAreRequired() throws IOException {
        assertEquals(prefix() + "platforms: at least one platform is required", failure("{}"));
        assertEquals(prefix() + "platforms: at least one platform is required", failure("{\"platforms\": {}}"));
    }

    @Test
    void modelsMustNotBeEmptyOrBlank() throws IOException {
        String message = failure(VALID.replace("{ \"gpt-4o\": \"gpt-4o\", \"gpt-4o-mini\": \"gpt-4o-mini\" }",
                        "{ \"gpt-4o\": \" \", \"\": \"gpt-4o-mini\" }")
                .replace("\"tokens\": [\"${DEEPSEEK_API_KEY}\", \"${DEEPSEEK_API_KEY_2}\"]",
                        "\"tokens\": [\"${DEEPSEEK_API_KEY}\"], \"models\": {}"));

        assertEquals(prefix() + "platforms.openai.models.gpt-4o: upstream model name must not be blank\n"
                + prefix() + "platforms.openai.models[\"\"]: public model name must not be blank\n"
                + prefix() + "platforms.deepseek.models: must not be empty;"
                + " omit models to pass every model name through unchanged", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0123                  | must be exactly 64 hex digits (the SHA-256 of the license key)",
        "g" + "123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                + " | must be exactly 64 hex digits (the SHA-256 of the license key)",
    })
    void badKeySha256(String digest, String expected) throws IOException {
        assertEquals(prefix() + "licenses[0].keySha256: " + expected, failure(VALID.replace(DIGEST, digest)));
    }

    @Test
    void licenseNeedsNameAndDigest() throws IOException {
        String message = failure(VALID.replace("\"name\": \"team-a\", \"keySha256\": \"" + DIGEST + "\", ", ""));

        assertEquals(prefix() + "licenses[0].name: required\n"
                + prefix() + "licenses[0].keySha256: required (the SHA-256 of the license key as 64 hex digits)", message);
    }

    @Test
    void duplicateLicenseNamesAndDigests() throws IOException {
        String license = "{ \"name\": \"%s\", \"keySha256\": \"%s\", \"platforms\": [\"*\"] }";
        String message = failure(VALID.replace("\"licenses\": [", "\"licenses\": ["
                + license.formatted("team-a", OTHER_DIGEST) + ", "
                + license.formatted("team-b", DIGEST.toLowerCase()) + ", "));

        assertEquals(prefix() + "licenses[2].name: duplicate: licenses[0] has the same name\n"
                + prefix() + "licenses[2].keySha256: duplicate: licenses[1] has the same key", message);
    }

    @Test
    void licenseNamingUnknownPlatform() throws IOException {
        String message = failure(VALID.replace("[\"*\"]", "[\"openai\", \"azure\"]"));

        assertEquals(prefix() + "licenses[0].platforms[1]: no such platform"
                + " (configured: openai, deepseek, mock; \"*\" means all)", message);
    }

    private static final String APPS = """
            "apps": [ { "appId": "1234", "keySha256": "%s", "platforms": ["*"], "models": ["gpt-4o", "gemini-*"],
                        "expiresAt": null },
                      { "appId": "batch.job_2-b", "keySha256": "%s", "platforms": ["mock"] } ],
            """;

    private String withApps(String apps) {
        return VALID.replace("\"platforms\": {", apps + "\n  \"platforms\": {");
    }

    @Test
    void appsBindWithLowerCaseDigestsAndOptionalModels() throws IOException {
        GatewayConfig config = load(withApps(APPS.formatted(DIGEST, OTHER_DIGEST.toUpperCase())));

        assertEquals(2, config.apps().size());
        AppConfig app = config.apps().get(0);
        assertEquals("1234", app.appId());
        assertEquals(DIGEST.toLowerCase(), app.keySha256());
        assertEquals(List.of("*"), app.platforms());
        assertEquals(List.of("gpt-4o", "gemini-*"), app.models());
        assertNull(app.expiresAt());
        assertEquals(OTHER_DIGEST, config.apps().get(1).keySha256());
        assertNull(config.apps().get(1).models());
        assertEquals(List.of(), load(VALID).apps());
    }

    @Test
    void licenseModelsBind() throws IOException {
        GatewayConfig config = load(VALID.replace("\"platforms\": [\"*\"],", "\"platforms\": [\"*\"], \"models\": [\"gpt-4o*\"],"));

        assertEquals(List.of("gpt-4o*"), config.licenses().get(0).models());
        assertNull(load(VALID).licenses().get(0).models());
    }

    @Test
    void appProblemsAreAllReported() throws IOException {
        String apps = """
                "apps": [ { "keySha256": "abc", "platforms": [] },
                          { "appId": "has:colon", "platforms": ["nowhere"], "models": [] },
                          { "appId": "a", "keySha256": "%s", "platforms": ["*"], "models": ["ok", " "] },
                          { "appId": "a", "keySha256": "%s", "platforms": ["*"], "key": "x" } ],
                """.formatted(DIGEST, OTHER_DIGEST);
        String message = failure(withApps(apps));

        assertEquals(prefix() + "apps[3].key: unknown field (known: appId, keySha256, platforms, models, expiresAt, limits)",
                message);
        message = failure(withApps(apps.replace(", \"key\": \"x\"", "")));
        assertEquals(prefix() + "apps[0].appId: required\n"
                + prefix() + "apps[0].keySha256: must be exactly 64 hex digits (the SHA-256 of the app key)\n"
                + prefix() + "apps[0].platforms: at least one platform key or \"*\" (all platforms) is required\n"
                + prefix() + "apps[1].appId: must match [A-Za-z0-9._-]{1,64} (it comes before the ':' of appId:appKey)\n"
                + prefix() + "apps[1].keySha256: required (the SHA-256 of the app key as 64 hex digits)\n"
                + prefix() + "apps[1].platforms[0]: no such platform (configured: openai, deepseek, mock; \"*\" means all)\n"
                + prefix() + "apps[1].models: must not be empty; omit models to allow every model\n"
                + prefix() + "apps[2].models[1]: must not be blank\n"
                + prefix() + "apps[3].appId: duplicate: apps[2] has the same appId", message);
    }

    @Test
    void appIdLongerThan64IsRefused() throws IOException {
        String message = failure(withApps(APPS.formatted(DIGEST, OTHER_DIGEST).replace("\"1234\"", "\"" + "a".repeat(65) + "\"")));

        assertEquals(prefix() + "apps[0].appId: must match [A-Za-z0-9._-]{1,64} (it comes before the ':' of appId:appKey)",
                message);
    }

    @Test
    void licenseModelsMustNotBeEmptyOrBlank() throws IOException {
        String message = failure(VALID.replace("\"platforms\": [\"*\"],", "\"platforms\": [\"*\"], \"models\": [\"\"],"));

        assertEquals(prefix() + "licenses[0].models[0]: must not be blank", message);
        message = failure(VALID.replace("\"platforms\": [\"*\"],", "\"platforms\": [\"*\"], \"models\": [],"));
        assertEquals(prefix() + "licenses[0].models: must not be empty; omit models to allow every model", message);
    }

    @Test
    void licenseWithoutPlatforms() throws IOException {
        assertEquals(prefix() + "licenses[0].platforms: at least one platform key or \"*\" (all platforms) is required",
                failure(VALID.replace("[\"*\"]", "[]")));
    }

    @Test
    void limitsTimeoutsAndUpstreamRanges() throws IOException {
        String message = failure(VALID.replace("{ \"connectMs\": 2000 }", "{ \"connectMs\": 0, \"idleMs\": -1 }")
                .replace("{ \"maxRequestBytes\": 1048576 }", "{ \"maxRequestBytes\": 0, \"maxJsonDepth\": 1 },"
                        + " \"upstream\": { \"maxConnections\": 0, \"ioThreads\": -1 }"));

        assertEquals(String.join("\n",
                prefix() + "platforms.openai.timeouts.connectMs: must be greater than 0",
                prefix() + "platforms.openai.timeouts.idleMs: must be greater than 0",
                prefix() + "limits.maxRequestBytes: must be greater than 0",
                prefix() + "limits.maxJsonDepth: must be between 2 and 1000",
                prefix() + "upstream.maxConnections: must be greater than 0",
                prefix() + "upstream.ioThreads: must not be negative (0 means one per core)"), message);
        assertTrue(failure(VALID.replace("1048576 }", "1048576, \"maxJsonDepth\": 1001 }"))
                .endsWith("limits.maxJsonDepth: must be between 2 and 1000"));
    }

    @Test
    void invalidJsonNamesLineAndColumn() throws IOException {
        assertEquals(prefix() + "invalid JSON at line 3, column 1: Invalid token=CURLYCLOSE. Expected tokens are: [STRING]",
                failure("{\n  \"platforms\": {},\n}"));
        assertEquals(prefix() + "invalid JSON at line 2, column 16: Duplicate key 'platforms' is not allowed",
                failure("{\"platforms\": {},\n \"platforms\": {}}"));
        assertEquals(prefix() + "invalid JSON at line 2, column 1: Expected EOF token, but got CURLYCLOSE",
                failure("{\"platforms\": {}}\n}"));
        assertEquals(prefix() + "the file is empty; it must hold one JSON object", failure(" \n"));
    }

    @Test
    void unreadableFile() {
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env::get));
        assertEquals(prefix() + "file not found", missing.getMessage());

        ConfigException directory = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, env::get));
        assertTrue(directory.getMessage().startsWith("config " + dir.toAbsolutePath() + ": cannot read"),
                directory.getMessage());
    }

    @Test
    void notUtf8() throws IOException {
        Files.write(file, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'});

        ConfigException failure = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env::get));
        assertEquals(prefix() + "not UTF-8 text", failure.getMessage());
    }

    @Test
    void locatePrefersEnvironmentThenSystemProperty() {
        UnaryOperator<String> environment = Map.of("SWITCHBOARD_CONFIG", "/etc/env.json")::get;
        UnaryOperator<String> properties = Map.of("switchboard.config", "/etc/prop.json")::get;
        UnaryOperator<String> none = name -> null;

        assertEquals(Path.of("/etc/env.json"), ConfigLoader.locate(environment, properties));
        assertEquals(Path.of("/etc/prop.json"), ConfigLoader.locate(none, properties));
        assertEquals(Path.of("/etc/prop.json"), ConfigLoader.locate(Map.of("SWITCHBOARD_CONFIG", " ")::get, properties));

        ConfigException neither = assertThrows(ConfigException.class, () -> ConfigLoader.locate(none, none));
        assertEquals("no configuration file: set the environment variable SWITCHBOARD_CONFIG or the system property"
                + " switchboard.config (e.g. -Dswitchboard.config=/etc/switchboard/switchboard.json)"
                + " to the path of the JSON configuration file", neither.getMessage());
    }

    @Test
    void locateDoesNotQuoteAnInvalidPath() {
        UnaryOperator<String> environment = Map.of("SWITCHBOARD_CONFIG", "bad\0path")::get;

        ConfigException failure = assertThrows(ConfigException.class,
                () -> ConfigLoader.locate(environment, name -> null));
        assertEquals("environment variable SWITCHBOARD_CONFIG is not a valid file path", failure.getMessage());
    }

    private GatewayConfig load(String json) throws IOException {
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return ConfigLoader.load(file, env::get);
    }

    private String failure(String json) throws IOException {
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env::get)).getMessage();
    }

    private String prefix() {
        return "config " + file.toAbsolutePath() + ": ";
    }

    private void assertNoSecrets(String message) {
        for (String value : env.values()) {
            assertFalse(message.contains(value), () -> "message quotes an environment value: " + message);
        }
    }
}
