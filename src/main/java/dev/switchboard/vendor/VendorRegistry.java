package dev.switchboard.vendor;

import dev.switchboard.vendor.anthropic.AnthropicVendor;
import dev.switchboard.vendor.azure.AzureOpenAiVendor;
import dev.switchboard.vendor.gemini.GeminiVendor;
import dev.switchboard.vendor.mock.MockVendor;
import dev.switchboard.vendor.openai.OpenAiVendor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one place that maps a configured platform {@code type} to its {@link Vendor}; a new native vendor is one line
 * here. Application-scoped, immutable.
 */
public final class VendorRegistry {
    /** Every {@code type} a platform may name; the config validation reads this set. */
    public static final Set<String> TYPES = Set.of("openai", "anthropic", "gemini", "azure-openai", "mock");

    private final Map<String, Vendor> vendors;

    public VendorRegistry(ScheduledExecutorService timer) {
        this.vendors = Map.of(
                "openai", new OpenAiVendor(),
                "anthropic", new AnthropicVendor(),
                "gemini", new GeminiVendor(),
                "azure-openai", new AzureOpenAiVendor(),
                "mock", new MockVendor(timer));
    }

    public Vendor forType(String type) {
        Vendor vendor = vendors.get(type);
        if (vendor == null) {
            throw new IllegalArgumentException("unknown platform type: " + type);
        }
        return vendor;
    }
}
