package dev.switchboard.config;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-validation: the rules for the {@code routers} section. A router name is a URL prefix like a platform key, so
 * it follows the same pattern ({@link PlatformRules#PLATFORM_KEY}), avoids the reserved segments and may not equal a
 * platform key (the first path segment must name exactly one thing). Its platforms exist, at least one, none twice.
 */
final class RouterRules {
    private final ConfigProblems problems;

    RouterRules(ConfigProblems problems) {
        this.problems = problems;
    }

    void routers(Map<String, RouterConfig> routers, Set<String> platformKeys) {
        routers.forEach((name, router) -> {
            String path = ConfigPath.key("routers", name);
            if (PlatformRules.RESERVED_KEYS.contains(name)) {
                problems.add(path, "reserved for the gateway's own paths (/healthz, /v1); choose another prefix");
            } else if (!PlatformRules.PLATFORM_KEY.matcher(name).matches()) {
                problems.add(path, "a router name is its URL prefix and must match "
                        + PlatformRules.PLATFORM_KEY.pattern());
            } else if (platformKeys.contains(name)) {
                problems.add(path, "collides with the platform of the same name; a URL prefix names one platform or"
                        + " one router");
            }
            List<String> platforms = router.platforms();
            if (platforms.isEmpty()) {
                problems.add(path + ".platforms", "at least one platform key is required");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < platforms.size(); i++) {
                String platform = platforms.get(i);
                String entryPath = ConfigPath.index(path + ".platforms", i);
                if (platform == null || !platformKeys.contains(platform)) {
                    problems.add(entryPath, "no such platform (configured: " + String.join(", ", platformKeys) + ")");
                } else if (!seen.add(platform)) {
                    problems.add(entryPath, "listed twice");
                }
            }
        });
    }
}
