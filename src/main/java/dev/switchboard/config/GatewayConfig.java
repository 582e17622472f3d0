package dev.switchboard.config;

import java.util.List;
import java.util.Map;

/**
 * The whole gateway configuration, bound from the JSON file by JSON-B (Yasson binds records through their canonical
 * constructor). Absent optional sections become their defaults here, so the rest of the code never sees a null.
 *
 * @param licenses  license keys (stored as SHA-256 digests only)
 * @param apps      app credentials ({@code <appId>:<appKey>}; keys stored as SHA-256 digests only)
 * @param platforms URL prefix to platform; iteration order is the file's order
 * @param limits    request and stream size limits
 * @param upstream  the shared HTTP client's pool settings
 * @param routers   model-routed URL prefix to router; a router name never equals a platform name
 */
public record GatewayConfig(
        List<LicenseConfig> licenses,
        List<AppConfig> apps,
        Map<String, PlatformConfig> platforms,
        LimitsConfig limits,
        UpstreamConfig upstream,
        Map<String, RouterConfig> routers) {

    public GatewayConfig {
        licenses = licenses == null ? List.of() : List.copyOf(licenses);
        apps = apps == null ? List.of() : List.copyOf(apps);
        platforms = platforms == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(platforms));
        limits = limits == null ? LimitsConfig.DEFAULTS : limits;
        upstream = upstream == null ? UpstreamConfig.DEFAULTS : upstream;
        routers = routers == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(routers));
    }
}
