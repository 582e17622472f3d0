package dev.switchboard.web;

import dev.switchboard.config.TimeoutsConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.route.Platform;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.upstream.AttemptFailure;
import dev.switchboard.upstream.AttemptListener;
import dev.switchboard.upstream.AttemptPlan;
import dev.switchboard.upstream.UpstreamExchange;
import dev.switchboard.upstream.UpstreamFailures;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.UpstreamTarget;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Per-request: the managed-mode attempt loop (license and app callers). Runs the {@link AttemptPlan}'s attempts one
 * at a time, each as an {@link UpstreamExchange}, until one commits or the plan gives up; a backoff is a task on the
 * shared timer, so no thread waits between attempts.
 *
 * <p>Threads: {@link #start} runs on a container thread; an exchange's reports arrive on the upstream I/O thread or
 * the timer; {@link ClientStream} signals arrive with the stream's monitor held. Lock order is therefore always
 * stream, then this object: plan transitions are synchronized here, and nothing that writes to the client or touches
 * an exchange runs while this object's lock is held.
 */
final class ManagedCall implements AttemptListener, ClientStream.Listener {

    /** One candidate platform and the name the model has there. */
    record Target(Platform platform, String upstreamModel) {}

    private final Gateway gateway;
    private final ChatRequest clientRequest;
    private final List<Target> targets;
    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final Consumer<ApiError> fail;
    private final AttemptPlan plan;

    private AttemptPlan.Attempt attempt; // guarded by this
    private boolean over; // guarded by this: the plan is closed, nothing more may start
    private volatile boolean clientGone;
    private volatile UpstreamExchange exchange;
    private volatile ScheduledFuture<?> backoff;

    /** @param fail writes the final error to the client (and the access record) */
    ManagedCall(Gateway gateway, ChatRequest clientRequest, List<Target> targets, ClientStream clientStream,
            AccessRecord accessRecord, Consumer<ApiError> fail) {
        this.gateway = gateway;
        this.clientRequest = clientRequest;
        this.targets = List.copyOf(targets);
        this.clientStream = clientStream;
        this.accessRecord = accessRecord;
        this.fail = fail;
        this.plan = gateway.newPlan(this.targets.stream().map(target -> target.platform().tokens()).toList());
    }

    void start() {
        clientStream.setListener(this);
        AttemptPlan.Step first;
        synchronized (this) {
            first = plan.first();
        }
        proceed(first);
    }

    // ---- AttemptListener: the current exchange's outcome before commit ----

    @Override
    public void committed() {
        synchronized (this) {
            if (!over && attempt != null) {
                plan.succeeded(attempt);
                over = true;
            }
        }
    }

    @Override
    public void failedBeforeCommit(AttemptFailure failure) {
        AttemptPlan.Step next;
        synchronized (this) {
            if (over || attempt == null) {
                return;
            }
            Target target = targets.get(attempt.target());
            next = plan.failed(attempt, clientGone ? UpstreamFailures.clientGone()
                    : UpstreamFailures.classify(failure, target.platform().vendor(),
                            target.platform().tokens().retry(), gateway.clock()));
            attempt = null;
            exchange = null; // it is over; a timeout during the backoff must not be handed to it
        }
        proceed(next);
    }

    // ---- ClientStream.Listener: forwarded to the exchange that is running, if any ----

    @Override
    public void onDrained() {
        UpstreamExchange current = exchange;
        if (current != null) {
            current.onDrained();
        }
    }

    @Override
    public void onClosed(ClientStream.CloseReason reason) {
        if (reason != ClientStream.CloseReason.TIMED_OUT) {
            clientGone = true;
        }
        ScheduledFuture<?> waiting = backoff;
        if (waiting != null) {
            waiting.cancel(false);
        }
        UpstreamExchange current = exchange;
        if (current != null) {
            current.onClosed(reason); // may report synchronously, on this thread: the lock is not held here
        } else if (reason == ClientStream.CloseReason.TIMED_OUT && end()) {
            // The maximum duration ran out between attempts: nobody else will answer.
            fail.accept(ApiError.server(504, "stream_max_duration",
                    "The response took longer than the platform's maximum duration."));
            return;
        }
        if (clientGone || current == null) {
            end();
        }
    }

    // ---- internals ----

    private void proceed(AttemptPlan.Step step) {
        if (!step.proceed()) {
            end();
            if (step.clientError() != null && !clientGone) {
                fail.accept(step.clientError());
            }
            return;
        }
        AttemptPlan.Attempt next = step.attempt();
        long delayMs = next.delay().toMillis();
        if (delayMs <= 0) {
            launch(next);
            return;
        }
        backoff = gateway.timer().schedule(() -> launch(next), delayMs, TimeUnit.MILLISECONDS);
        if (clientGone) {
            backoff.cancel(false);
            end();
        }
    }

    private void launch(AttemptPlan.Attempt next) {
        synchronized (this) {
            if (over || clientGone) {
                return;
            }
            attempt = next;
        }
        Target target = targets.get(next.target());
        Platform platform = target.platform();
        String alias = next.lease().alias();
        // Headers go out with whichever response commits; each attempt overwrites the previous one's.
        clientStream.header("x-switchboard-attempts", Integer.toString(next.number()));
        clientStream.header("x-switchboard-upstream", alias);
        accessRecord.platform(platform.name());
        accessRecord.attempt(next.number(), alias);
        UpstreamRequest upstreamRequest;
        try {
            upstreamRequest = platform.vendor().toUpstream(clientRequest, new UpstreamTarget(
                    platform.config().baseUrl(), target.upstreamModel(), next.lease().token(),
                    platform.config().vendorSettings()));
        } catch (ApiException e) {
            // A parameter a fallback platform's vendor cannot honour: the request itself is the problem there.
            end();
            fail.accept(e.error());
            return;
        }
        TimeoutsConfig timeouts = platform.config().timeouts();
        var limits = gateway.config().limits();
        UpstreamExchange started = new UpstreamExchange(platform.vendor(), clientRequest, clientStream, accessRecord,
                this, limits.maxEventBytes(), limits.maxResponseBytes(), UpstreamExchange.StartupLimits.DEFAULT);
        exchange = started;
        // An attempt may not wait for its first byte past the request's deadline.
        long firstByteMs = Math.max(1, Math.min(timeouts.firstByteMs(), plan.remaining().toMillis()));
        started.start(gateway.upstreamClient(), upstreamRequest, firstByteMs, timeouts.idleMs(), gateway.timer());
        if (clientGone) {
            started.onClosed(ClientStream.CloseReason.CLIENT_GONE); // the client left while it was being started
            end();
        }
    }

    /**
     * Closes the plan exactly once: the lease of an attempt that never reported goes back without a verdict. True if
     * this call ended it.
     */
    private synchronized boolean end() {
        if (over) {
            return false;
        }
        over = true;
        plan.close();
        return true;
    }
}
