package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configurations shipped in {@code server-configs/examples} are a documented contract: each must load and
 * validate as it is, with every {@code ${NAME}} it references supplied.
 */
class ExampleConfigsTest {
    private static final Path EXAMPLES = Path.of("server-configs", "examples");

    @Test
    void everyExampleLoadsWithItsVariablesSet() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(EXAMPLES)) {
            files = listing.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no example configurations in " + EXAMPLES);
        for (Path file : files) {
            GatewayConfig config = ConfigLoader.load(file, name -> "test-value-for-" + name);
            assertFalse(config.platforms().isEmpty(), file.toString());
        }
    }

    @Test
    void vendorExamplesUseTheDocumentedEndpoints() {
        GatewayConfig config = ConfigLoader.load(EXAMPLES.resolve("vendors.json"), name -> "v-" + name);
        assertEquals("https://api.deepseek.com/v1", config.platforms().get("deepseek").baseUrl());
        assertEquals("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", config.platforms().get("qwen").baseUrl());
        assertEquals("https://api.moonshot.ai/v1", config.platforms().get("kimi").baseUrl());
        assertEquals("https://open.bigmodel.cn/api/paas/v4", config.platforms().get("glm").baseUrl());
        assertEquals("http://localhost:11434/v1", config.platforms().get("ollama").baseUrl());
        assertEquals("anthropic", config.platforms().get("claude").type());
        assertEquals(4096, config.platforms().get("claude").defaultMaxTokens());
        assertEquals("gemini", config.platforms().get("gemini").type());
        assertEquals("azure-openai", config.platforms().get("azure").type());
        assertEquals("2024-10-21", config.platforms().get("azure").apiVersion());
        assertEquals(List.of("v-DEEPSEEK_API_KEY", "v-DEEPSEEK_API_KEY_2"), config.platforms().get("deepseek").tokens());
        assertTrue(config.platforms().get("ollama").models() == null, "Ollama passes any local model name");
    }
}
