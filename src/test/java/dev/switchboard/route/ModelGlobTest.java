package dev.switchboard.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ModelGlobTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gpt-4o       | gpt-4o          | true",
        "gpt-4o       | gpt-4o-mini     | false",
        "gpt-4o       | gpt-4           | false",
        "gpt-4o       | GPT-4O          | false",
        "gemini-*     | gemini-2.5-flash| true",
        "gemini-*     | gemini-         | true",
        "gemini-*     | gemini          | false",
        "gemini-*     | xgemini-pro     | false",
        "*            | anything        | true",
        "*            | ''              | true",
        "''           | ''              | true",
        "''           | a               | false",
        "*-mini       | gpt-4o-mini     | true",
        "*-mini       | gpt-4o-minix    | false",
        "gpt-*-mini   | gpt-4o-mini     | true",
        "gpt-*-mini   | gpt--mini       | true",
        "gpt-*-mini   | gpt-mini        | false",
        "a*b*c        | aXXbYYbZZc      | true",
        "a*b*c        | aXXcYYb         | false",
        "**           | x               | true",
        "gpt.4o       | gpt-4o          | false",
        "claude-(.*)  | claude-sonnet   | false",
        "claude-(.*)  | claude-(.*)     | true",
    })
    void matches(String pattern, String name, boolean expected) {
        assertEquals(expected, ModelGlob.matches(pattern, name), pattern + " vs " + name);
    }

    @Test
    void pathologicalPatternsStayFast() {
        String name = "a".repeat(5_000) + "b";
        assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertFalse(ModelGlob.matches("*a*a*a*a*a*a*a*a*a*a*c", name)));
    }
}
