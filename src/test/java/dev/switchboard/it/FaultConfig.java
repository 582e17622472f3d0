package dev.switchboard.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the gateway configuration of a fault-suite class: one license ({@link Canaries#LICENSE_ALL}, every
 * platform), the platforms and routers the class declares, and the shared IT limits. Unlike {@link ItConfig}, every
 * platform has literal vendor tokens named after it ({@code <platform>-a}, {@code <platform>-b}, …), so a
 * {@link FaultUpstream} can choose its behaviour per token and a recorded attempt names the token the gateway chose.
 *
 * <p>Token health (cooldowns, disabled and ejected tokens) lives as long as the deployment, so a test that changes it
 * uses a platform of its own; the retry settings are per platform, fast where only the outcome matters and real
 * where the test is about the health rule.
 */
final class FaultConfig {

    /**
     * Fast retries for tests about outcomes, not timing: 1 + 2 retries, a few milliseconds of backoff, and ejection
     * out of reach so the failures a test provokes on purpose never change which token the next attempt gets.
     */
    static final String FAST = "{ \"maxRetries\": 2, \"backoffBaseMs\": 5, \"backoffCapMs\": 20, \"deadlineMs\": 15000,"
            + " \"ejectAfterFailures\": 100 }";

    private final Map<String, String> platforms = new LinkedHashMap<>();
    private final Map<String, List<String>> routers = new LinkedHashMap<>();

    /** The tokens of {@code platform}, as the upstream sees them: {@code <platform>-a}, {@code -b}, … */
    static List<String> tokens(String platform, int count) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tokens.add(platform + "-" + (char) ('a' + i));
        }
        return tokens;
    }

    /**
     * An OpenAI-compatible platform with {@code tokenCount} tokens.
     *
     * @param baseUrl  the vendor root with its version path
     * @param retry    the {@code retry} object (JSON)
     * @param extra    further fields of the platform object, each preceded by a comma, or ""
     */
    FaultConfig platform(String name, String baseUrl, int tokenCount, String retry, String extra) {
        String tokens = tokens(name, tokenCount).stream().map(token -> "\"" + token + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
        platforms.put(name, "{ \"type\": \"openai\", \"baseUrl\": \"" + baseUrl + "\", \"tokens\": " + tokens
                + ", \"retry\": " + retry + extra + " }");
        return this;
    }

    /** A model-routed prefix over {@code platforms}, in failover order. */
    FaultConfig router(String name, String... platformNames) {
        routers.put(name, List.of(platformNames));
        return this;
    }

    String json() {
        String platformsJson = platforms.entrySet().stream()
                .map(entry -> "    \"" + entry.getKey() + "\": " + entry.getValue())
                .collect(Collectors.joining(",\n"));
        String routersJson = routers.entrySet().stream()
                .map(entry -> "\"" + entry.getKey() + "\": { \"platforms\": "
                        + entry.getValue().stream().map(name -> "\"" + name + "\"")
                                .collect(Collectors.joining(", ", "[", "]")) + " }")
                .collect(Collectors.joining(", "));
        return """
                {
                  "licenses": [ { "name": "it-all", "keySha256": "%s", "platforms": ["*"] } ],
                  "platforms": {
                %s
                  },
                  "routers": { %s },
                  "limits": { "maxAuthFailures": %d }
                }
                """.formatted(Canaries.sha256(Canaries.LICENSE_ALL), platformsJson, routersJson,
                ItConfig.MAX_AUTH_FAILURES);
    }

    /** Writes the configuration where the next deployment reads it. */
    void write() {
        Deployments.writeConfig(json());
    }
}
