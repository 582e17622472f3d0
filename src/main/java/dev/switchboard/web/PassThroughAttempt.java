package dev.switchboard.web;

import dev.switchboard.config.TimeoutsConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.route.Platform;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.upstream.AttemptFailure;
import dev.switchboard.upstream.AttemptListener;
import dev.switchboard.upstream.UpstreamExchange;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per-request: the one upstream attempt of a Chat2API pass-through call (issue #4), made with the caller's own vendor
 * token. No retry, no token rotation, no startup buffer (nothing to protect: the stream commits on its first event).
 *
 * <p>What the client gets when the attempt fails:
 * <ul>
 *   <li>an upstream 4xx/5xx: that response as the vendor sent it — status, body bytes, {@code Content-Type} and
 *       {@code Retry-After}; no other upstream header (security must 4: an allow-list of vendor response headers);
 *   <li>an upstream 3xx: the gateway's 502 {@code upstream_unexpected_redirect}, as in managed mode — a redirect is
 *       never followed, and relaying it would send the caller's client, with its vendor token, to an address that is
 *       not in the configuration;
 *   <li>no upstream response at all (connect failure, timeout, the gateway's own limits, a 2xx the gateway cannot
 *       read): the gateway's OpenAI-shaped error;
 *   <li>a failure after the stream began: the client connection is aborted ({@link ClientStream#abortOnFailure()}),
 *       so the truncation is visible.
 * </ul>
 */
final class PassThroughAttempt implements AttemptListener {
    /** The access log's error code for an upstream error response relayed as it came. */
    static final String RELAYED = "upstream_error_relayed";

    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final Consumer<ApiError> fail;

    private PassThroughAttempt(ClientStream clientStream, AccessRecord accessRecord, Consumer<ApiError> fail) {
        this.clientStream = clientStream;
        this.accessRecord = accessRecord;
        this.fail = fail;
    }

    /**
     * Builds the upstream request with {@code vendorToken} in the vendor's own header form and starts it.
     *
     * @param fail writes the gateway's own error to the client (and the access record)
     */
    static void start(Gateway gateway, Platform platform, String upstreamModel, ChatRequest clientRequest,
            String vendorToken, ClientStream clientStream, AccessRecord accessRecord, Consumer<ApiError> fail)
            throws ApiException {
        Vendor vendor = platform.vendor();
        TimeoutsConfig timeouts = platform.config().timeouts();
        var upstreamRequest = vendor.toUpstream(clientRequest, new UpstreamTarget(platform.config().baseUrl(),
                upstreamModel, vendorToken, platform.config().vendorSettings()));
        clientStream.abortOnFailure();
        var limits = gateway.config().limits();
        var exchange = new UpstreamExchange(vendor, clientRequest, clientStream, accessRecord,
                new PassThroughAttempt(clientStream, accessRecord, fail), limits.maxEventBytes(), limits.maxResponseBytes(),
                null);
        clientStream.setListener(exchange);
        exchange.start(gateway.upstreamClient(), upstreamRequest, timeouts.firstByteMs(), timeouts.idleMs(),
                gateway.timer());
    }

    @Override
    public void committed() {}

    @Override
    public void failedBeforeCommit(AttemptFailure failure) {
        if (failure.hasUpstreamResponse() && failure.status() >= 400) {
            // Not the managed-mode reading of the status (a vendor 401 there means the gateway's token was refused):
            // here it is the caller's own answer, and upstream_status in the access line says which it was.
            accessRecord.errorCode(RELAYED);
            clientStream.respond(failure.status(), failure.contentType(), relayedHeaders(failure), failure.body());
            return;
        }
        fail.accept(failure.error());
    }

    private static Map<String, String> relayedHeaders(AttemptFailure failure) {
        return failure.retryAfter() == null ? Map.of() : Map.of("Retry-After", failure.retryAfter());
    }
}
