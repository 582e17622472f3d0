package dev.switchboard.web;

import dev.switchboard.auth.Caller;
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
import dev.switchboard.vendor.LocalVendor;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import dev.switchboard.vendor.Vendor;
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
        Platform platform = chooser.choose(clientRequest.model(), caller).orElse(null);
        if (platform == null) {
            throw new ApiException(ApiError.modelNotFound(clientRequest.model()));
        }
        accessRecord.platform(platform.name());
        // A platform or model the caller may not use looks exactly like a model that does not exist: nothing to
        // enumerate.
        String upstreamModel = caller.mayUsePlatform(platform.name()) && caller.mayUseModel(clientRequest.model())
                ? platform.upstreamModel(clientRequest.model()).orElse(null)
                : null;
        if (upstreamModel == null) {
            throw new ApiException(ApiError.modelNotFound(clientRequest.model()));
        }
        accessRecord.model(clientRequest.model());
        TimeoutsConfig timeouts = platform.config().timeouts();
        Vendor vendor = platform.vendor();
        if (vendor instanceof LocalVendor local) {
            local.answer(clientRequest, upstreamModel, clientStream, accessRecord::usage,
                    platform.config().mock().delayMs());
            return;
        }
        if (caller.passThrough()) {
            PassThroughAttempt.start(gateway, platform, upstreamModel, clientRequest, caller.vendorToken(),
                    clientStream, accessRecord);
            return;
        }
        String token = platform.tokens().next();
        UpstreamRequest upstreamRequest = vendor.toUpstream(clientRequest,
                new UpstreamTarget(platform.config().baseUrl(), upstreamModel, token,
                        platform.config().vendorSettings()));
        if (clientRequest.stream()) {
            clientStream.startHeartbeat(gateway.timer(), timeouts.heartbeatMs());
        }
        var limits = gateway.config().limits();
        var exchange = new UpstreamExchange(vendor, clientRequest, clientStream, accessRecord, new AttemptListener() {
            @Override
            public void committed() {}

            @Override
            public void failedBeforeCommit(AttemptFailure failure) {
                failed(failure.error());
            }
        }, limits.maxEventBytes(), limits.maxResponseBytes(), UpstreamExchange.StartupLimits.DEFAULT);
        clientStream.setListener(exchange);
        exchange.start(gateway.upstreamClient(), upstreamRequest, timeouts.firstByteMs(), timeouts.idleMs(),
                gateway.timer());
    }
}
