package dev.switchboard.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The leak check of RELIABILITY.md ("Testing on one machine"), read from the deployed gateway's
 * {@code /healthz/stats}: after a test's requests have ended, no upstream exchange is still in flight, no pooled
 * connection is still leased and no client connection is still watched by the probe.
 */
public final class Leaks {
    private Leaks() {}

    /** Waits until the gateway's upstream side is idle again; fails with the last counters seen otherwise. */
    public static void awaitNone(Api api) {
        AtomicReference<String> last = new AtomicReference<>("(no answer)");
        try {
            Await.until("no upstream exchange or leased connection left", () -> {
                JsonNode stats = stats(api);
                last.set(stats.toString());
                return stats.path("upstreamExchanges").asInt(-1) == 0
                        && stats.path("upstreamConnectionsLeased").asInt(-1) == 0
                        && stats.path("upstreamConnectionsPending").asInt(-1) == 0
                        && stats.path("clientConnectionsWatched").asInt(-1) == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last stats " + last.get(), e);
        }
    }

    public static JsonNode stats(Api api) {
        HttpResponse<String> response = api.get("/healthz/stats", Canaries.LICENSE_ALL);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /healthz/stats: " + response.statusCode() + " " + response.body());
        }
        return Api.json(response.body());
    }
}
