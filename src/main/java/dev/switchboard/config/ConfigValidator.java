package dev.switchboard.config;

import java.util.List;
import java.util.Map;

/**
 * Checks a bound configuration against the rules JSON types cannot express and returns it normalised (lower-case
 * digests, base URLs without a trailing slash). Collects every problem rather than stopping at the first.
 *
 * <p>Each section has its own rules class ({@link PlatformRules}, {@link CallerRules}, {@link RouterRules}); this
 * class fixes the order they run in, which is the order problems are reported in, and checks the two gateway-wide
 * sections ({@code limits}, {@code upstream}) itself. Like {@link ConfigTree}, problems name fields, never values.
 */
final class ConfigValidator {

    private ConfigValidator() {}

    /** Returns the normalised configuration; it is valid only when no line was added to {@code problemLines}. */
    static GatewayConfig validate(GatewayConfig config, List<String> problemLines) {
        ConfigProblems problems = new ConfigProblems(problemLines);
        Map<String, PlatformConfig> platforms = new PlatformRules(problems).platforms(config.platforms());
        CallerRules callers = new CallerRules(problems, platforms.keySet());
        List<LicenseConfig> licenses = callers.licenses(config.licenses());
        List<AppConfig> apps = callers.apps(config.apps());
        limits(problems, config.limits());
        upstream(problems, config.upstream());
        new RouterRules(problems).routers(config.routers(), platforms.keySet());
        return new GatewayConfig(licenses, apps, platforms, config.limits(), config.upstream(), config.routers());
    }

    private static void limits(ConfigProblems problems, LimitsConfig limits) {
        problems.positive("limits.maxRequestBytes", limits.maxRequestBytes());
        problems.positive("limits.maxResponseBytes", limits.maxResponseBytes());
        problems.positive("limits.maxStreamBufferBytes", limits.maxStreamBufferBytes());
        problems.positive("limits.maxEventBytes", limits.maxEventBytes());
        if (limits.maxJsonDepth() < 2 || limits.maxJsonDepth() > 1000) {
            problems.add("limits.maxJsonDepth", "must be between 2 and 1000");
        }
        problems.positive("limits.maxInFlight", limits.maxInFlight());
        problems.positive("limits.callerMaxConcurrent", limits.callerMaxConcurrent());
        problems.positive("limits.callerRequestsPerMinute", limits.callerRequestsPerMinute());
        problems.positive("limits.maxAuthFailures", limits.maxAuthFailures());
        problems.positive("limits.authFailureWindowMs", limits.authFailureWindowMs());
        problems.positive("limits.maxTrackedAddresses", limits.maxTrackedAddresses());
    }

    private static void upstream(ConfigProblems problems, UpstreamConfig upstream) {
        problems.positive("upstream.maxConnections", upstream.maxConnections());
        if (upstream.ioThreads() < 0) {
            problems.add("upstream.ioThreads", "must not be negative (0 means one per core)");
        }
    }
}
