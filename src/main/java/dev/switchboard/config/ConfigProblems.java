package dev.switchboard.config;

import java.util.List;

/**
 * Per-validation: the problem list the section rules ({@link PlatformRules}, {@link CallerRules},
 * {@link RouterRules}) add to, and the checks they share. Not thread-safe; validation runs once, at deployment.
 *
 * <p>Like {@link ConfigTree}, problems name fields, never values.
 */
final class ConfigProblems {
    private final List<String> lines;

    ConfigProblems(List<String> lines) {
        this.lines = lines;
    }

    void add(String path, String message) {
        lines.add(ConfigPath.problem(path, message));
    }

    void positive(String path, long value) {
        if (value <= 0) {
            add(path, "must be greater than 0");
        }
    }

    static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }
}
