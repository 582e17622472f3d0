package dev.switchboard.web;

import dev.switchboard.auth.Caller;
import dev.switchboard.route.Platform;
import dev.switchboard.route.Router;
import java.util.List;

/**
 * Which platform serves a chat completion, decided once its body (and so its model) is known: the fixed platform of
 * a {@code /<platform>} prefix, or the model-routed choice of a {@code /<router>} prefix.
 */
interface PlatformChooser {

    /**
     * The platforms that may serve this model for this caller, in the order to try them; empty answers 404
     * {@code model_not_found}. ChatCall still checks each against the caller's model rules and the model map.
     */
    List<Platform> candidates(String model, Caller caller);

    /** For logs: the URL prefix the request came in on. */
    String prefix();

    /** The longest stream any platform this chooser may pick allows (the container's async timeout). */
    long maxStreamMs();

    static PlatformChooser fixed(Platform platform) {
        return new PlatformChooser() {
            @Override
            public List<Platform> candidates(String model, Caller caller) {
                return List.of(platform);
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
     * The platforms of the router that serve the model, in the router's order: the first is tried first, the others
     * are the failover order of managed mode (RELIABILITY.md).
     */
    static PlatformChooser routed(Router router) {
        return new PlatformChooser() {
            @Override
            public List<Platform> candidates(String model, Caller caller) {
                return router.candidatesFor(model);
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
