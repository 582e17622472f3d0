package dev.switchboard.vendor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A native vendor package comes with recorded stream fixtures (DESIGN.md: "a new native vendor is one new package,
 * its mirrored test package, a fixtures folder, and one registration line"); this fails when one is registered
 * without them.
 */
class VendorFixturesTest {
    /** Pass-through and local vendors: nothing to translate, so nothing to record. */
    private static final Set<String> WITHOUT_TRANSLATION = Set.of("openai", "mock");
    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");

    @Test
    void everyTranslatingVendorHasStreamFixtures() throws IOException {
        for (String type : VendorRegistry.TYPES) {
            if (WITHOUT_TRANSLATION.contains(type)) {
                continue;
            }
            Path folder = FIXTURES.resolve(type);
            assertTrue(Files.isDirectory(folder), () -> "vendor type '" + type + "' has no fixtures folder " + folder);
            try (Stream<Path> files = Files.list(folder)) {
                assertTrue(files.anyMatch(file -> file.getFileName().toString().endsWith(".sse")),
                        () -> "vendor type '" + type + "' has no .sse fixture in " + folder);
            }
        }
    }
}
