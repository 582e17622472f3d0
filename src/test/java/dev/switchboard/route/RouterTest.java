package dev.switchboard.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.PlatformConfig;
import dev.switchboard.config.RetryConfig;
import dev.switchboard.upstream.TokenPool;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Model-based platform choice: exact names before globs, the router's order, the {@code /models} union. */
class RouterTest {

    private static final Platform OPENAI = platform("openai", "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-mini",
            "gpt-4o-mini", "o*", "*");
    private static final Platform CLAUDE = platform("claude", "claude-*", "*", "claude-sonnet-4",
            "claude-sonnet-4-20250514", "gpt-4o", "gpt-4o-via-claude");
    private static final Platform GEMINI = platform("gemini", "gemini-2.5-flash", "gemini-2.5-flash",
            "gemini-*-pro", "*");
    private static final Platform ANY = new Platform("ollama", config(null), null, pool("ollama"));

    private static final Router ROUTER = new Router("openai-compatible", List.of(OPENAI, CLAUDE, GEMINI));

    @Test
    void exactNameBeatsAGlobListedBeforeIt() {
        assertEquals(Optional.of("claude-sonnet-4-20250514"), CLAUDE.upstreamModel("claude-sonnet-4"));
        assertEquals(Optional.of("claude-opus-4-1"), CLAUDE.upstreamModel("claude-opus-4-1"),
                "a glob passes the same name upstream");
        assertEquals(Optional.empty(), CLAUDE.upstreamModel("gemini-2.5-flash"));
        assertEquals(Optional.empty(), CLAUDE.upstreamModel(null));
    }

    @Test
    void aPlatformWithoutModelsServesAnyName() {
        assertEquals(Optional.of("llama3"), ANY.upstreamModel("llama3"));
        assertEquals(List.of(), ANY.publicModels());
    }

    @ParameterizedTest
    @CsvSource({
        "claude-*,     claude-,           true",
        "claude-*,     claude-opus-4,     true",
        "claude-*,     claud-opus,        false",
        "claude-*,     xclaude-opus,      false",
        "gemini-*-pro, gemini-2.5-pro,    true",
        "gemini-*-pro, gemini-pro,        false",
        "gemini-*-pro, gemini-2.5-flash,  false",
        "*-mini,       gpt-4o-mini,       true",
        "*,            anything,          true",
        "a*a,          a,                 false",
        "a*a,          aa,                true",
        "a**b,         ab,                true",
    })
    void globs(String glob, String name, boolean matches) {
        assertEquals(matches, ModelGlob.matches(glob, name));
    }

    @Test
    void candidatesFollowTheRoutersOrder() {
        assertEquals(List.of(OPENAI, CLAUDE), ROUTER.candidatesFor("gpt-4o"), "both list it; openai first");
        assertEquals(List.of(CLAUDE, OPENAI), new Router("r", List.of(CLAUDE, OPENAI)).candidatesFor("gpt-4o"));
        assertEquals(List.of(CLAUDE), ROUTER.candidatesFor("claude-sonnet-4"));
        assertEquals(List.of(CLAUDE), ROUTER.candidatesFor("claude-haiku-3-5"), "by glob");
        assertEquals(List.of(OPENAI), ROUTER.candidatesFor("o3"), "by glob");
        assertEquals(List.of(GEMINI), ROUTER.candidatesFor("gemini-2.5-flash"));
        assertEquals(List.of(GEMINI), ROUTER.candidatesFor("gemini-2.5-pro"));
        assertEquals(List.of(), ROUTER.candidatesFor("llama3"));
        assertEquals(List.of(), ROUTER.candidatesFor(null));
    }

    @Test
    void aPlatformWithoutModelsCatchesWhatTheOthersDoNotServe() {
        Router router = new Router("r", List.of(CLAUDE, ANY));
        assertEquals(List.of(CLAUDE, ANY), router.candidatesFor("claude-sonnet-4"));
        assertEquals(List.of(ANY), router.candidatesFor("llama3"));
    }

    @Test
    void modelsAreTheUnionWithTheFirstPlatformOwningEachName() {
        Map<String, Platform> models = ROUTER.models(platform -> true);

        Map<String, Platform> expected = new LinkedHashMap<>();
        expected.put("gpt-4o", OPENAI);
        expected.put("gpt-4o-mini", OPENAI);
        expected.put("claude-sonnet-4", CLAUDE);
        expected.put("gemini-2.5-flash", GEMINI);
        assertEquals(expected, models, "globs are no model names; gpt-4o belongs to openai, the first");
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(models.keySet()), "in the router's order");
    }

    @Test
    void modelsOnlyOfPlatformsTheCallerMayUse() {
        Map<String, Platform> models = ROUTER.models(platform -> !platform.name().equals("openai"));

        assertEquals(List.of("claude-sonnet-4", "gpt-4o", "gemini-2.5-flash"), List.copyOf(models.keySet()));
        assertEquals(CLAUDE, models.get("gpt-4o"), "claude serves gpt-4o when openai is not allowed");
        assertTrue(ROUTER.models(platform -> false).isEmpty());
        assertFalse(ROUTER.models(platform -> true).containsKey("claude-*"));
    }

    /** A platform with a model map given as public, upstream pairs in file order. */
    private static Platform platform(String name, String... pairs) {
        Map<String, String> models = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            models.put(pairs[i], pairs[i + 1]);
        }
        return new Platform(name, config(models), null, pool(name));
    }

    private static PlatformConfig config(Map<String, String> models) {
        return new PlatformConfig("openai", "https://example.test/v1", List.of("t"), models, null, null, null, null, null, null);
    }

    private static TokenPool pool(String platform) {
        return new TokenPool(platform, List.of("t"), RetryConfig.DEFAULTS, Clock.systemUTC());
    }
}
