package dev.switchboard.route;

import dev.switchboard.config.PlatformConfig;
import dev.switchboard.vendor.Vendor;
import java.util.List;
import java.util.Optional;

/**
 * One configured platform, ready to serve: its vendor, token pool and model map. Application-scoped, immutable.
 *
 * @param name the URL prefix
 */
public record Platform(String name, PlatformConfig config, Vendor vendor, TokenPool tokens) {

    /**
     * The upstream name for a public model name; empty when this platform does not serve it. Without a
     * {@code models} map every name passes unchanged.
     */
    public Optional<String> upstreamModel(String publicModel) {
        if (config.models() == null) {
            return Optional.of(publicModel);
        }
        return Optional.ofNullable(config.models().get(publicModel));
    }

    /** The public model names to list on {@code GET /v1/models}; empty when the platform passes any name. */
    public List<String> publicModels() {
        return config.models() == null ? List.of() : List.copyOf(config.models().keySet());
    }
}
