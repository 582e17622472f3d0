package dev.switchboard.route;

import dev.switchboard.config.GatewayConfig;
import dev.switchboard.upstream.MonotonicClock;
import dev.switchboard.upstream.TokenPool;
import dev.switchboard.vendor.VendorRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The platforms and the model-routed routers by URL prefix; application-scoped, immutable. */
public final class PlatformRegistry {
    private final Map<String, Platform> platforms = new LinkedHashMap<>();
    private final Map<String, Router> routers = new LinkedHashMap<>();

    public PlatformRegistry(GatewayConfig config, VendorRegistry vendors) {
        this(config, vendors, MonotonicClock.system());
    }

    /** @param clock times token cooldowns, ejections and probes */
    public PlatformRegistry(GatewayConfig config, VendorRegistry vendors, Clock clock) {
        config.platforms().forEach((name, platform) -> platforms.put(name,
                new Platform(name, platform, vendors.forType(platform.type()),
                        new TokenPool(name, platform.tokens(), platform.retry(), clock))));
        config.routers().forEach((name, router) -> routers.put(name,
                new Router(name, router.platforms().stream().map(platforms::get).toList())));
    }

    /** The router under this URL prefix; validation keeps router and platform names apart. */
    public Optional<Router> findRouter(String name) {
        return Optional.ofNullable(routers.get(name));
    }

    public Optional<Platform> find(String name) {
        return Optional.ofNullable(platforms.get(name));
    }

    public Collection<Platform> all() {
        return platforms.values();
    }
}
