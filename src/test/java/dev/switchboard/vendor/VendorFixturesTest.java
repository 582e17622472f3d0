package dev.switchboard.vendor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every native vendor has recorded upstream streams to replay (DESIGN.md, style 8). The pass-through and the
 * local mock vendors are exempt: they translate nothing.
 */
class VendorFixturesTest {
    private static final Set<String> EXEMPT = Set.of("openai", "mock");
    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");

    @Test
    void everyNativeVendorHasStreamFixtures() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String type : VendorRegistry.TYPES) {
            if (EXEMPT.contains(type)) {
                continue;
            }
            Path folder = FIXTURES.resolve(type);
            boolean hasSse = false;
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    hasSse = files.anyMatch(file -> file.getFileName().toString().endsWith(".sse"));
                }
            }
            if (!hasSse) {
                missing.add(type);
            }
        }
        assertTrue(missing.isEmpty(), () -> "no .sse fixture under " + FIXTURES + "/<type>/ for " + missing);
    }
}
