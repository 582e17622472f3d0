package dev.switchboard.route;

import dev.switchboard.config.GatewayConfig;
import dev.switchboard.vendor.VendorRegistry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The platforms by URL prefix; application-scoped, immutable. */
public final class PlatformRegistry {
    private final Map<String, Platform> platforms = new LinkedHashMap<>();

    public PlatformRegistry(GatewayConfig config, VendorRegistry vendors) {
        config.platforms().forEach((name, platform) -> platforms.put(name,
                new Platform(name, platform, vendors.forType(platform.type()), new TokenPool(platform.tokens()))));
    }

    public Optional<Platform> find(String name) {
        return Optional.ofNullable(platforms.get(name));
    }

    public Collection<Platform> all() {
        return platforms.values();
    }
}
