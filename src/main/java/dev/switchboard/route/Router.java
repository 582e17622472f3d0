package dev.switchboard.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One model-routed URL prefix: an ordered list of platforms, chosen between by the request's model name.
 * Application-scoped, immutable.
 *
 * <p>A platform without a {@code models} map serves any model name, so it catches every model the platforms before
 * it do not serve; list it last.
 *
 * @param name      the URL prefix
 * @param platforms in the configured order
 */
public record Router(String name, List<Platform> platforms) {

    public Router {
        platforms = List.copyOf(platforms);
    }

    /**
     * The platforms that serve {@code model}, in the router's order: the first is the one to use; the rest are the
     * fallback order for when it fails before anything reached the caller. Only the first is used for now — failover
     * belongs to the resilience work. Empty when none serves it.
     */
    public List<Platform> candidatesFor(String model) {
        List<Platform> candidates = new ArrayList<>();
        for (Platform platform : platforms) {
            if (platform.serves(model)) {
                candidates.add(platform);
            }
        }
        return candidates;
    }

    /**
     * The public model names of the platforms {@code mayUse} admits, each with the platform that serves it: the first
     * platform in the router's order that lists a name owns it (that is also where a chat completion goes). Globs and
     * platforms without a model map list nothing, as on their own {@code /v1/models}.
     */
    public Map<String, Platform> models(Predicate<Platform> mayUse) {
        Map<String, Platform> models = new LinkedHashMap<>();
        for (Platform platform : platforms) {
            if (mayUse.test(platform)) {
                platform.publicModels().forEach(model -> models.putIfAbsent(model, platform));
            }
        }
        return models;
    }
}
