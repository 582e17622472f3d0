package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the gateway configuration the deployed WAR reads (system property {@code switchboard.config}, passed to
 * every container by the build) before each deployment, pointing its platforms at this class's fake upstream.
 *
 * <p>Platforms: {@code fake} (OpenAI-compatible, model map, two managed tokens from environment variables, short
 * heartbeat), {@code open} (no model map: any model passes), {@code impatient} (short first-byte timeout), {@code brief} (short maximum stream duration), {@code refused} (a port nobody listens on), {@code mock}; the native vendors
 * {@code claude} (Anthropic Messages under {@code /anthropic/v1}, token A, default max tokens) and {@code gemini}
 * (Gemini v1beta under {@code /gemini/v1beta}, token B).
 * Licenses: {@code it-all}, {@code it-mock-only}, {@code it-expired}, {@code it-mock-echo-model} (every platform,
 * model {@code mock-echo} only). Apps: {@code it-app} (platforms fake and mock, models {@code mock-*} and
 * {@code gpt-4o}) and {@code it-app-expired} (same key, upper-case digest, expired).
 * Router: {@code openai-compatible} over {@code fake}, {@code claude} and {@code gemini}, choosing by model name.
 * Vendor tokens come through {@code ${IT_VENDOR_TOKEN_A}}/{@code B}, which the build sets, so the in-container
 * tests exercise environment substitution too.
 */
public final class ItConfig {
    private ItConfig() {}

    public static final long MAX_REQUEST_BYTES = 65_536;
    public static final int MAX_JSON_DEPTH = 32;
    public static final long HEARTBEAT_MS = 500;
    /** First-byte timeout of the {@code impatient} platform. */
    public static final long FIRST_BYTE_MS = 1500;
    /** Idle timeout of the {@code sleepy} platform: longest upstream silence. */
    public static final long IDLE_MS = 1000;
    /** Maximum stream duration of the {@code brief} platform. */
    public static final long MAX_STREAM_MS = 2000;
    /** {@code defaultMaxTokens} of the {@code claude} platform: sent upstream when the caller sets no limit. */
    public static final int CLAUDE_MAX_TOKENS = 1024;
    /**
     * Every test calls from 127.0.0.1, and several send bad keys on purpose: far above what any class sends, so the
     * auth-failure throttle never turns an expected 401 into a 429 (OverloadIT sets its own, small).
     */
    public static final int MAX_AUTH_FAILURES = 10_000;

    /**
     * Token health that forgets within a millisecond, on every platform here: the test methods of a class share one
     * deployment, and a token one test put in a 429 cooldown or disabled with a 401 must not change the next test's
     * outcome. Retries and rotation themselves stay as in production; the fault tests that look at health over time
     * use platforms of their own.
     */
    static final String FORGETFUL_RETRY = "{ \"backoffBaseMs\": 1, \"backoffCapMs\": 1, \"cooldownMinMs\": 1, "
            + "\"cooldownDefaultMs\": 1, \"cooldownMaxMs\": 1, \"ejectMs\": 1, \"ejectMaxMs\": 1, \"disabledMs\": 1 }";

    public static void write(FakeUpstream upstream) {
        write(upstream, "", ", \"maxAuthFailures\": " + MAX_AUTH_FAILURES);
    }

    /**
     * The shared configuration plus {@code extraLicenses} (JSON objects, each preceded by a comma) and
     * {@code extraLimits} (fields of {@code limits}, each preceded by a comma; in place of the shared
     * {@code maxAuthFailures}), for a test class whose limits would disturb every other class (such as a tiny
     * {@code maxInFlight}). Each class deploys its own WAR, so what it sets lives and dies with its deployment.
     */
    public static void write(FakeUpstream upstream, String extraLicenses, String extraLimits) {
        String base = "http://127.0.0.1:" + upstream.port();
        String json = """
                {
                  "licenses": [
                    { "name": "it-all", "keySha256": "%s", "platforms": ["*"], "expiresAt": null },
                    { "name": "it-mock-only", "keySha256": "%s", "platforms": ["mock"] },
                    { "name": "it-expired", "keySha256": "%s", "platforms": ["*"], "expiresAt": "2020-01-01T00:00:00Z" },
                    { "name": "it-mock-echo-model", "keySha256": "%s", "platforms": ["*"], "models": ["mock-echo"] }%s
                  ],
                  "apps": [
                    { "appId": "%s", "keySha256": "%s", "platforms": ["fake", "mock"], "models": ["mock-*", "gpt-4o"],
                      "expiresAt": null },
                    { "appId": "%s", "keySha256": "%s", "platforms": ["*"], "expiresAt": "2020-01-01T00:00:00Z" }
                  ],
                  "platforms": {
                    "fake": { "type": "openai", "baseUrl": "%s/v1",
                              "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_A}", "${IT_VENDOR_TOKEN_B}"],
                              "models": { "gpt-4o": "gpt-4o-2024-08-06", "gpt-4o-mini": "gpt-4o-mini" },
                              "timeouts": { "heartbeatMs": %d, "firstByteMs": 20000 } },
                    "open": { "type": "openai", "baseUrl": "%s/open/v1", "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_A}"] },
                    "impatient": { "type": "openai", "baseUrl": "%s/impatient/v1", "retry": NO_RETRY, "tokens": ["${IT_VENDOR_TOKEN_A}"],
                                   "timeouts": { "firstByteMs": %d } },
                    "brief": { "type": "openai", "baseUrl": "%s/brief/v1", "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_A}"],
                               "timeouts": { "maxStreamMs": %d } },
                    "sleepy": { "type": "openai", "baseUrl": "%s/sleepy/v1", "retry": RETRY,
                                "tokens": ["${IT_VENDOR_TOKEN_A}"], "timeouts": { "idleMs": %d } },
                    "ratelimited": { "type": "openai", "baseUrl": "%s/ratelimited/v1",
                                     "tokens": ["${IT_VENDOR_TOKEN_A}", "${IT_VENDOR_TOKEN_B}"] },
                    "refused": { "type": "openai", "baseUrl": "http://127.0.0.1:%d/v1", "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_A}"] },
                    "mock": { "type": "mock", "models": { "mock-echo": "mock-echo" }, "mock": { "delayMs": 1 } },
                    "claude": { "type": "anthropic", "baseUrl": "%s/anthropic/v1", "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_A}"],
                                "models": { "claude-sonnet-4": "claude-sonnet-4-20250514" }, "defaultMaxTokens": %d },
                    "gemini": { "type": "gemini", "baseUrl": "%s/gemini/v1beta", "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_B}"],
                                "models": { "gemini-2.5-flash": "gemini-2.5-flash" } },
                    "azure": { "type": "azure-openai", "baseUrl": "%s", "retry": RETRY, "tokens": ["${IT_VENDOR_TOKEN_B}"],
                               "apiVersion": "2024-10-21", "models": { "gpt-4o": "my-gpt4o-deployment" } }
                  },
                  "routers": { "openai-compatible": { "platforms": ["fake", "claude", "gemini"] } },
                  "limits": { "maxRequestBytes": %d, "maxJsonDepth": %d%s }
                }
                """.formatted(Canaries.sha256(Canaries.LICENSE_ALL), Canaries.sha256(Canaries.LICENSE_MOCK_ONLY),
                Canaries.sha256(Canaries.LICENSE_EXPIRED), Canaries.sha256(Canaries.LICENSE_MOCK_ECHO_MODEL), extraLicenses,
                Canaries.APP_ID, Canaries.sha256(Canaries.APP_KEY), Canaries.APP_ID_EXPIRED,
                Canaries.sha256(Canaries.APP_KEY).toUpperCase(java.util.Locale.ROOT), base, HEARTBEAT_MS, base, base, FIRST_BYTE_MS, base, MAX_STREAM_MS, base, IDLE_MS, base, closedPort(),
                base, CLAUDE_MAX_TOKENS, base, base, MAX_REQUEST_BYTES, MAX_JSON_DEPTH, extraLimits);
        json = json.replace("NO_RETRY", FORGETFUL_RETRY.replace("{", "{ \"maxRetries\": 0,"))
                .replace("RETRY", FORGETFUL_RETRY);
        String location = System.getProperty("switchboard.config");
        if (location == null) {
            throw new IllegalStateException("the build must set -Dswitchboard.config for integration tests");
        }
        try {
            Path file = Path.of(location);
            Files.createDirectories(file.getParent());
            Files.writeString(file, json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port that was free a moment ago and is closed now: connecting to it is refused. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
