package dev.switchboard.web;

import dev.switchboard.auth.Caller;
import dev.switchboard.route.Platform;
import dev.switchboard.route.Router;
import java.util.Optional;

/**
 * Which platform serves a chat completion, decided once its body (and so its model) is known: the fixed platform of
 * a {@code /<platform>} prefix, or the model-routed choice of a {@code /<router>} prefix.
 */
interface PlatformChooser {

    /** The platform for this model and caller; empty answers 404 {@code model_not_found}. */
    Optional<Platform> choose(String model, Caller caller);

    /** For logs: the URL prefix the request came in on. */
    String prefix();

    /** The longest stream any platform this chooser may pick allows (the container's async timeout). */
    long maxStreamMs();

    static PlatformChooser fixed(Platform platform) {
        return new PlatformChooser() {
            @Override
            public Optional<Platform> choose(String model, Caller caller) {
                return Optional.of(platform); // ChatCall checks the caller and the model map as before
            }

            @Override
            public String prefix() {
                return platform.name();
            }

            @Override
            public long maxStreamMs() {
                return platform.config().timeouts().maxStreamMs();
            }
        };
    }

    /**
     * The first platform in the router's order that serves the model and that the caller may use. The others in
     * {@link Router#candidatesFor} are the fallback order; failover is not built yet, so only the first is used.
     */
    static PlatformChooser routed(Router router) {
        return new PlatformChooser() {
            @Override
            public Optional<Platform> choose(String model, Caller caller) {
                return router.candidatesFor(model).stream()
                        .filter(platform -> caller.mayUsePlatform(platform.name()))
                        .findFirst();
            }

            @Override
            public String prefix() {
                return router.name();
            }

            @Override
            public long maxStreamMs() {
                return router.platforms().stream()
                        .mapToLong(platform -> platform.config().timeouts().maxStreamMs())
                        .max().orElseThrow();
            }
        };
    }
}
