package dev.switchboard.it;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Every secret the integration tests use. Each is a recognisable canary, so a test can grep every log the gateway
 * wrote and prove none of them appears (RELIABILITY.md, security must 1).
 */
public final class Canaries {
    private Canaries() {}

    /** License for all platforms. */
    public static final String LICENSE_ALL = "sk-canary-license-all-5d1f0a";
    /** License for the mock platform only. */
    public static final String LICENSE_MOCK_ONLY = "sk-canary-license-mock-77c2e1";
    /** License that expired in 2020. */
    public static final String LICENSE_EXPIRED = "sk-canary-license-expired-31b9";
    /** Managed vendor tokens of the fake platform, round-robin; reach the config through ${IT_VENDOR_TOKEN_A/B}. */
    public static final String VENDOR_TOKEN_A = "sk-canary-vendor-a-9e4410";
    public static final String VENDOR_TOKEN_B = "sk-canary-vendor-b-2a7c55";
    /** License for every platform but only the model {@code mock-echo}. */
    public static final String LICENSE_MOCK_ECHO_MODEL = "sk-canary-license-mock-echo-model-4e8d02";
    /** App id of the IT app (not a secret: it is logged as {@code app:it-app}). */
    public static final String APP_ID = "it-app";
    /** App id of an app whose key is {@link #APP_KEY} too but which expired in 2020. */
    public static final String APP_ID_EXPIRED = "it-app-expired";
    /** App key of {@link #APP_ID} (and {@link #APP_ID_EXPIRED}); the caller sends {@code it-app:<key>}. */
    public static final String APP_KEY = "appkey-canary-it-app-b71f93";
    /** License with a small concurrency limit (OverloadIT). */
    public static final String LICENSE_FEW_AT_ONCE = "sk-canary-license-few-at-once-6a0d3c";
    /** License with a small requests-per-minute limit (OverloadIT). */
    public static final String LICENSE_FEW_PER_MINUTE = "sk-canary-license-few-per-minute-e19b57";
    /** A caller's own vendor token, sent in Chat2API pass-through mode ({@code Authorization}); never in config. */
    public static final String CALLER_VENDOR_TOKEN = "sk-canary-caller-vendor-d3a8f6";
    /** A key nobody configured. */
    public static final String UNKNOWN_KEY = "sk-canary-unknown-c0ffee";

    public static List<String> all() {
        return List.of(LICENSE_ALL, LICENSE_MOCK_ONLY, LICENSE_EXPIRED, LICENSE_MOCK_ECHO_MODEL, APP_KEY, VENDOR_TOKEN_A,
                VENDOR_TOKEN_B, CALLER_VENDOR_TOKEN, UNKNOWN_KEY, LICENSE_FEW_AT_ONCE, LICENSE_FEW_PER_MINUTE);
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
