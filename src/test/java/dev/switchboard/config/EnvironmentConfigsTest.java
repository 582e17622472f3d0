package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code server-configs/environments/test.json} and {@code prod.json}: both load and validate, offer callers the same
 * router, platforms and models (so a caller changes only the base URL), and take every secret from variables of
 * their own environment, so one deployment can never pick up the other's keys.
 */
class EnvironmentConfigsTest {
    private static final Path ENVIRONMENTS = Path.of("server-configs", "environments");

    @Test
    void bothEnvironmentsLoadWithTheSameRouterPlatformsAndModels() {
        GatewayConfig test = load("test", new ArrayList<>());
        GatewayConfig prod = load("prod", new ArrayList<>());

        assertEquals(Map.of("openai-compatible", new RouterConfig(List.of("openai", "claude", "gemini"))),
                test.routers());
        assertEquals(test.routers(), prod.routers());
        assertEquals(List.of("openai", "claude", "gemini"), List.copyOf(test.platforms().keySet()));
        assertEquals(List.copyOf(test.platforms().keySet()), List.copyOf(prod.platforms().keySet()));
        assertEquals("openai", test.platforms().get("openai").type());
        assertEquals("anthropic", test.platforms().get("claude").type());
        assertEquals("gemini", test.platforms().get("gemini").type());
        test.platforms().forEach((name, platform) -> {
            PlatformConfig other = prod.platforms().get(name);
            assertEquals(platform.type(), other.type(), name);
            assertEquals(platform.models(), other.models(), name + ": callers see the same models in both");
        });
    }

    @Test
    void eachEnvironmentUsesOnlyItsOwnVariables() {
        for (String environment : List.of("test", "prod")) {
            List<String> variables = new ArrayList<>();
            GatewayConfig config = load(environment, variables);
            String suffix = "_" + environment.toUpperCase();
            assertTrue(variables.size() >= 4, environment + ": " + variables);
            for (String variable : variables) {
                assertTrue(variable.endsWith(suffix), environment + " uses " + variable);
            }
            config.platforms().forEach((name, platform) -> assertEquals(1, platform.tokens().size(), name));
            assertEquals("v-OPENAI_API_KEY" + suffix, config.platforms().get("openai").tokens().get(0));
        }
    }

    /** Loads one environment with every variable set, recording the names asked for. */
    private static GatewayConfig load(String environment, List<String> variables) {
        return ConfigLoader.load(ENVIRONMENTS.resolve(environment + ".json"), name -> {
            variables.add(name);
            return name.contains("SHA256") ? "a".repeat(64) : "v-" + name;
        });
    }
}
