package dev.switchboard.web;

import dev.switchboard.auth.Caller;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.route.Platform;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.vendor.LocalVendor;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Per-request: one chat completion from the moment its body has been read. Validates it, applies the caller's and
 * the platform's model rules, and starts the upstream exchange (or the local answer). Runs on the container thread
 * that delivered the body; everything after {@link #body} is asynchronous.
 */
final class ChatCall implements BodyReader.Callback {
    private static final Logger LOG = LogManager.getLogger(ChatCall.class);

    private final Gateway gateway;
    private final PlatformChooser chooser;
    private final Caller caller;
    private final AccessRecord accessRecord;
    private final ClientStream clientStream;

    ChatCall(Gateway gateway, PlatformChooser chooser, Caller caller, AccessRecord accessRecord,
            ClientStream clientStream) {
        this.gateway = gateway;
        this.chooser = chooser;
        this.caller = caller;
        this.accessRecord = accessRecord;
        this.clientStream = clientStream;
    }

    @Override
    public void body(byte[] bytes, int length) {
        // From here until the response commits, only the probe can tell that the client left (ClientProbe).
        clientStream.watchClient(gateway.clientProbe());
        try {
            start(gateway.parser().parse(bytes, length));
        } catch (ApiException e) {
            failed(e.error());
        } catch (RuntimeException e) {
            // A bug of ours: the caller gets a plain 500, the log gets the class and place, never request content.
            LOG.error("chat call failed under prefix {}", chooser.prefix(), e);
            failed(ApiError.server(500, "internal_error", "The gateway failed to handle the request."));
        }
    }

    @Override
    public void failed(ApiError error) {
        accessRecord.errorCode(error.code());
        clientStream.fail(error.status(), error.headers(), error.toJson());
    }

    private void start(ChatRequest clientRequest) throws ApiException {
        // A platform or model the caller may not use looks exactly like a model that does not exist: nothing to
        // enumerate.
        List<ManagedCall.Target> targets = new ArrayList<>();
        if (caller.mayUseModel(clientRequest.model())) {
            for (Platform platform : chooser.candidates(clientRequest.model(), caller)) {
                if (caller.mayUsePlatform(platform.name())) {
                    platform.upstreamModel(clientRequest.model())
                            .ifPresent(upstreamModel -> targets.add(new ManagedCall.Target(platform, upstreamModel)));
                }
            }
        }
        if (targets.isEmpty()) {
            throw new ApiException(ApiError.modelNotFound(clientRequest.model()));
        }
        accessRecord.model(clientRequest.model());
        ManagedCall.Target first = targets.get(0);
        accessRecord.platform(first.platform().name());
        if (first.platform().vendor() instanceof LocalVendor local) {
            local.answer(clientRequest, first.upstreamModel(), clientStream, accessRecord::usage,
                    first.platform().config().mock().delayMs());
            return;
        }
        if (clientRequest.stream()) {
            clientStream.startHeartbeat(gateway.timer(), first.platform().config().timeouts().heartbeatMs());
        }
        if (caller.passThrough()) {
            // Chat2API: the caller's own token, one attempt on the first platform, upstream errors relayed as sent.
            PassThroughAttempt.start(gateway, first.platform(), first.upstreamModel(), clientRequest,
                    caller.vendorToken(), clientStream, accessRecord, this::failed);
            return;
        }
        new ManagedCall(gateway, clientRequest, targets, clientStream, accessRecord, this::failed).start();
    }
}
