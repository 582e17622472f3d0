package dev.switchboard.config;

import java.util.List;

/**
 * One model-routed URL prefix, the key in {@link GatewayConfig#routers()}: {@code /<router>/v1/chat/completions}
 * picks the platform from the request's model name.
 *
 * @param platforms platform keys in priority order: the first whose {@code models} serves the model is used, the
 *                  others that also serve it are the fallback order (not yet used: failover is the resilience
 *                  issue's job)
 */
public record RouterConfig(List<String> platforms) {

    public RouterConfig {
        platforms = platforms == null ? List.of() : List.copyOf(platforms);
    }
}
