package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code routers} and glob {@code models} entries: binding and validation. */
class RouterConfigTest {

    /** {@code %s} is the routers section. */
    private static final String CONFIG = """
            {
              "platforms": {
                "openai": { "type": "openai", "baseUrl": "https://api.openai.com/v1", "tokens": ["t"],
                            "models": { "gpt-4o": "gpt-4o" } },
                "claude": { "type": "anthropic", "baseUrl": "https://api.anthropic.com/v1", "tokens": ["t"],
                            "models": { "claude-sonnet-4": "claude-sonnet-4-20250514", "claude-*": "*" } },
                "gemini": { "type": "gemini", "baseUrl": "https://generativelanguage.googleapis.com/v1beta",
                            "tokens": ["t"], "models": { "gemini-2.5-flash": "gemini-2.5-flash" } }
              }%s
            }
            """;

    @TempDir
    Path dir;

    @Test
    void routersBindInOrderWithTheirPlatforms() throws IOException {
        GatewayConfig config = load(CONFIG.formatted(", \"routers\": {"
                + " \"openai-compatible\": { \"platforms\": [\"openai\", \"claude\", \"gemini\"] },"
                + " \"anthropic-first\": { \"platforms\": [\"claude\", \"openai\"] } }"));

        assertEquals(Map.of("openai-compatible", new RouterConfig(List.of("openai", "claude", "gemini")),
                "anthropic-first", new RouterConfig(List.of("claude", "openai"))), config.routers());
        assertEquals("*", config.platforms().get("claude").models().get("claude-*"));
    }

    @Test
    void routersAreOptional() throws IOException {
        assertEquals(Map.of(), load(CONFIG.formatted("")).routers());
    }

    @Test
    void routerNameMayNotCollideWithAPlatform() throws IOException {
        assertEquals(prefix() + "routers.claude: collides with the platform of the same name;"
                        + " a URL prefix names one platform or one router",
                failure(CONFIG.formatted(", \"routers\": { \"claude\": { \"platforms\": [\"openai\"] } }")));
    }

    @Test
    void routerNameIsAUrlPrefix() throws IOException {
        assertEquals(prefix() + "routers.Open_AI: a router name is its URL prefix and must match"
                        + " [a-z0-9][a-z0-9._-]{0,62}",
                failure(CONFIG.formatted(", \"routers\": { \"Open_AI\": { \"platforms\": [\"openai\"] } }")));
        assertEquals(prefix() + "routers.v1: reserved for the gateway's own paths (/healthz, /v1);"
                        + " choose another prefix",
                failure(CONFIG.formatted(", \"routers\": { \"v1\": { \"platforms\": [\"openai\"] } }")));
    }

    @Test
    void routerPlatformsExistAreListedOnceAndAreNotEmpty() throws IOException {
        String message = failure(CONFIG.formatted(", \"routers\": {"
                + " \"a\": { \"platforms\": [\"openai\", \"azure\", \"openai\"] },"
                + " \"b\": { \"platforms\": [] }, \"c\": {} }"));

        assertEquals(String.join("\n",
                prefix() + "routers.a.platforms[1]: no such platform (configured: openai, claude, gemini)",
                prefix() + "routers.a.platforms[2]: listed twice",
                prefix() + "routers.b.platforms: at least one platform key is required",
                prefix() + "routers.c.platforms: at least one platform key is required"), message);
    }

    @Test
    void unknownRouterFieldIsRejected() throws IOException {
        assertEquals(prefix() + "routers.r.fallback: unknown field (known: platforms)",
                failure(CONFIG.formatted(", \"routers\": { \"r\": { \"platforms\": [\"openai\"], \"fallback\": 1 } }")));
    }

    @Test
    void globEntriesMapToTheSameNameOnly() throws IOException {
        String message = failure(CONFIG.formatted("")
                .replace("\"claude-*\": \"*\"", "\"claude-*\": \"claude-3\", \"claude-x\": \"*\""));

        assertEquals(prefix() + "platforms.claude.models[\"claude-*\"]: a glob entry (its name contains *) must map to"
                + " \"*\": the same name upstream\n"
                + prefix() + "platforms.claude.models.claude-x: \"*\" upstream needs a glob public name such as"
                + " \"claude-*\"", message);
    }

    private GatewayConfig load(String json) throws IOException {
        Path file = dir.resolve("switchboard.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return ConfigLoader.load(file, name -> null);
    }

    private String failure(String json) throws IOException {
        Path file = dir.resolve("switchboard.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, name -> null)).getMessage();
    }

    private String prefix() {
        return "config " + dir.resolve("switchboard.json").toAbsolutePath() + ": ";
    }
}
