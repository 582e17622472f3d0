package dev.switchboard.route;

import dev.switchboard.config.PlatformConfig;
import dev.switchboard.upstream.TokenPool;
import dev.switchboard.vendor.Vendor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One configured platform, ready to serve: its vendor, token pool and model map. Application-scoped, immutable.
 *
 * <p>A {@code models} key containing {@code *} is a glob over public names ({@code *} matches any run of
 * characters, nothing else is special) and maps to {@code "*"}: the same name upstream. Exact names are looked up
 * first, then the globs in the order the file lists them.
 *
 * @param name the URL prefix
 */
public record Platform(String name, PlatformConfig config, Vendor vendor, TokenPool tokens) {

    /**
     * The upstream name for a public model name; empty when this platform does not serve it. Without a
     * {@code models} map every name passes unchanged.
     */
    public Optional<String> upstreamModel(String publicModel) {
        Map<String, String> models = config.models();
        if (models == null) {
            return Optional.of(publicModel);
        }
        if (publicModel == null) {
            return Optional.empty();
        }
        if (!isGlob(publicModel)) {
            String exact = models.get(publicModel);
            if (exact != null) {
                return Optional.of(exact);
            }
        }
        for (String entry : models.keySet()) {
            if (isGlob(entry) && ModelGlob.matches(entry, publicModel)) {
                return Optional.of(publicModel);
            }
        }
        return Optional.empty();
    }

    /** Whether this platform serves the public model name (exactly, by glob, or because it has no model map). */
    public boolean serves(String publicModel) {
        return upstreamModel(publicModel).isPresent();
    }

    /**
     * The public model names to list on {@code GET /v1/models}: the exact entries, never the globs (a glob names no
     * model); empty when the platform passes any name.
     */
    public List<String> publicModels() {
        return config.models() == null ? List.of()
                : config.models().keySet().stream().filter(name -> !isGlob(name)).toList();
    }

    static boolean isGlob(String name) {
        return name.indexOf('*') >= 0;
    }
}
