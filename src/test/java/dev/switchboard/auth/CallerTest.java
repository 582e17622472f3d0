package dev.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.config.AppConfig;
import dev.switchboard.config.LicenseConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallerTest {

    @Test
    void appCallerIsNamedByIdNeverByKey() {
        Caller caller = Caller.app(new AppConfig("1234", "ab".repeat(32), List.of("openai"), List.of("gpt-4o"), null, null));

        assertEquals("app:1234", caller.name());
        assertEquals("app", caller.mode());
        assertTrue(caller.mayUsePlatform("openai"));
        assertFalse(caller.mayUsePlatform("gemini"));
    }

    @Test
    void licenseCaller() {
        Caller caller = Caller.license(new LicenseConfig("team-a", "ab".repeat(32), List.of("*"), null, null, null));

        assertEquals("team-a", caller.name());
        assertEquals("license", caller.mode());
        assertTrue(caller.mayUsePlatform("anything"));
    }

    @Test
    void noModelListMeansAnyModel() {
        Caller absent = new Caller("c", "license", List.of("*"), null);
        Caller empty = new Caller("c", "license", List.of("*"), List.of());

        assertTrue(absent.mayUseModel("gpt-4o"));
        assertTrue(empty.mayUseModel("whatever"));
    }

    @Test
    void modelListAllowsExactNamesAndGlobsOnly() {
        Caller caller = new Caller("c", "app", List.of("*"), List.of("gpt-4o", "gemini-*"));

        assertTrue(caller.mayUseModel("gpt-4o"));
        assertTrue(caller.mayUseModel("gemini-2.5-flash"));
        assertFalse(caller.mayUseModel("gpt-4o-mini"));
        assertFalse(caller.mayUseModel("claude-sonnet-4"));
        assertFalse(caller.mayUseModel(null));
    }

    @Test
    void noPlatformsMeansNone() {
        assertFalse(new Caller("c", "app", List.of(), null).mayUsePlatform("openai"));
    }
}
