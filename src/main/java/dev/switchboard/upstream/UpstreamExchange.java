package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.Vendor;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpStreamResetException;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Per-attempt: one upstream HTTP exchange, from request to the last byte handed to the {@link ClientStream}.
 *
 * <p>Before the commit point a failure goes to the {@link AttemptListener}, which owns what happens next (another
 * attempt, a relayed error); after it, this exchange reports the failure in-band itself. A managed stream is held
 * in a {@link StartupBuffer} until its first content-bearing event, so a stream that fails before saying anything
 * is still a failure before commit.
 *
 * <p>HttpClient calls the {@link AsyncResponseConsumer} methods on its I/O thread, one at a time; decoding and
 * translation run there, synchronously, so a stream's events leave in the order they came. Back-pressure: upstream
 * credit ({@link CapacityChannel#update}) is granted only while the client side has nothing pending, so a slow
 * reader pauses upstream reading instead of growing a buffer. The outcome reaches the client exactly once, through
 * the {@link AttemptOutcome} every thread claims before it acts.
 *
 * <p>This class is the wiring: the response is relayed by a {@link StreamRelay} or read whole by a
 * {@link WholeResponse}, and the handles that stop the upstream live in an {@link UpstreamCall}.
 */
public final class UpstreamExchange implements AsyncResponseConsumer<Void>, FutureCallback<Void>, ClientStream.Listener {
    private static final Logger LOG = LogManager.getLogger(UpstreamExchange.class);
    /** Upstream bytes read ahead per grant while the client keeps up; small enough to bound memory per stream. */
    private static final int CREDIT_WINDOW = 64 * 1024;

    private final Vendor vendor;
    private final ChatRequest clientRequest;
    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final int maxEventBytes;
    private final long maxResponseBytes;
    private final StartupLimits startupLimits;
    private final UpstreamCall upstreamCall = new UpstreamCall();
    private final AttemptOutcome outcome;

    private final AtomicBoolean responded = new AtomicBoolean();
    private final AtomicBoolean creditWanted = new AtomicBoolean();
    private volatile CapacityChannel capacity;

    // I/O-thread state: touched only by HttpClient's callbacks for this exchange, which never overlap.
    private FutureCallback<Void> resultCallback;
    private int upstreamStatus;
    /** Exactly one of the two is set once the response headers are in. */
    private StreamRelay stream;
    private WholeResponse whole;

    /**
     * @param startup the events of a stream to hold before commit, or {@code null} to commit on the first event
     *                (pass-through mode, which never retries)
     */
    public UpstreamExchange(Vendor vendor, ChatRequest clientRequest, ClientStream clientStream,
            AccessRecord accessRecord, AttemptListener listener, int maxEventBytes, long maxResponseBytes,
            StartupLimits startup) {
        this.vendor = vendor;
        this.clientRequest = clientRequest;
        this.clientStream = clientStream;
        this.accessRecord = accessRecord;
        this.maxEventBytes = maxEventBytes;
        this.maxResponseBytes = maxResponseBytes;
        this.startupLimits = startup;
        this.outcome = new AttemptOutcome(listener, clientStream, accessRecord, upstreamCall);
    }

    /** How much of a stream's start a managed exchange may hold back before it commits anyway. */
    public record StartupLimits(int maxEvents, int maxBytes) {
        /** RELIABILITY.md: "≤ 64 events / 256 KiB". */
        public static final StartupLimits DEFAULT = new StartupLimits(64, 256 * 1024);
    }

    /**
     * Sends the request; the outcome reaches the client stream or the listener asynchronously. Call once. The owner
     * routes the {@link ClientStream}'s signals to this exchange ({@link ClientStream#setListener}) while it runs.
     */
    public void start(UpstreamClient client, UpstreamRequest upstreamRequest, long firstByteTimeoutMs,
            long idleTimeoutMs, ScheduledExecutorService timer) {
        upstreamCall.firstByteTimer(
                timer.schedule(this::firstByteTimedOut, firstByteTimeoutMs, TimeUnit.MILLISECONDS));
        if (client.multiplexes(upstreamRequest.uri())) {
            IdleWatch watch = new IdleWatch(timer, idleTimeoutMs, () -> upstreamIdle(idleTimeoutMs));
            upstreamCall.multiplexed(watch);
            watch.start();
        }
        Future<Void> call = client.execute(upstreamRequest, idleTimeoutMs, this, this, upstreamCall::onConnection);
        upstreamCall.started(call);
        if (outcome.isFinished()) {
            call.cancel(true); // the client left while the request was being handed over
        }
    }

    // ---- AsyncResponseConsumer (I/O thread) ----

    @Override
    public void consumeResponse(HttpResponse upstreamResponse, EntityDetails entity, HttpContext context,
            FutureCallback<Void> callback) throws HttpException, IOException {
        if (!responded.compareAndSet(false, true)) {
            callback.completed(null); // the first-byte timer already answered the client
            return;
        }
        upstreamCall.cancelFirstByteTimer();
        upstreamCall.onConnection(ConnectionTracker.current());
        touchIdleWatch();
        resultCallback = callback;
        upstreamStatus = upstreamResponse.getCode();
        accessRecord.upstreamStatus(upstreamStatus);
        String retryAfter = headerValue(upstreamResponse, "Retry-After");
        String retryAfterMs = headerValue(upstreamResponse, "retry-after-ms");
        String upstreamContentType = headerValue(upstreamResponse, "Content-Type");
        String contentType = upstreamContentType == null ? "" : upstreamContentType.trim().toLowerCase(Locale.ROOT);
        boolean success = upstreamStatus >= 200 && upstreamStatus < 300;
        boolean streaming = success && clientRequest.stream() && contentType.startsWith("text/event-stream");
        boolean expectJson = contentType.startsWith("application/json") || contentType.endsWith("+json");
        if (streaming) {
            stream = new StreamRelay(vendor, clientRequest, clientStream, accessRecord, outcome, upstreamStatus,
                    maxEventBytes, startupLimits);
        } else {
            whole = new WholeResponse(vendor, clientRequest, clientStream, accessRecord, outcome, upstreamStatus,
                    upstreamContentType, retryAfter, retryAfterMs, expectJson, maxResponseBytes);
            CapacityChannel channel = capacity;
            if (channel != null) {
                channel.update(Integer.MAX_VALUE);
            }
        }
        if (entity == null) {
            streamEnd(null);
        }
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {}

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
        capacity = capacityChannel;
        upstreamCall.stream(capacityChannel);
        if (whole != null) {
            // Whole bodies are read as fast as they come; BoundedBody caps their size.
            capacityChannel.update(Integer.MAX_VALUE);
            return;
        }
        creditWanted.set(true);
        grantCreditIfDrained();
    }

    @Override
    public void consume(ByteBuffer data) throws IOException {
        if (outcome.isFinished()) {
            // Abandoned: failing here stops httpcore reading on. Over HTTP/1.1 it closes the connection; over HTTP/2
            // this exception type resets only this stream (httpcore 5.4 AbstractH2StreamMultiplexer.consumeFrame),
            // where any other IOException would end the whole shared connection.
            throw new HttpStreamResetException("exchange abandoned by the gateway");
        }
        touchIdleWatch();
        if (stream == null) {
            whole.consume(data);
        } else {
            stream.consume(data);
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
        if (outcome.isFinished()) {
            complete();
            return;
        }
        if (stream == null) {
            whole.end();
        } else {
            stream.end();
        }
        complete();
    }

    /** Both HttpClient interfaces report failures here: connect errors before a response, resets during one. */
    @Override
    public void failed(Exception cause) {
        upstreamFailed(cause);
    }

    @Override
    public void releaseResources() {
        upstreamCall.cancelFirstByteTimer();
        upstreamCall.stopIdleWatch();
    }

    // ---- FutureCallback: the overall outcome of client.execute ----

    @Override
    public void completed(Void result) {}

    @Override
    public void cancelled() {}

    // ---- ClientStream.Listener (container thread or I/O thread) ----

    @Override
    public void onDrained() {
        grantCreditIfDrained();
    }

    @Override
    public void onClosed(ClientStream.CloseReason reason) {
        if (reason == ClientStream.CloseReason.TIMED_OUT) {
            outcome.abandon(AttemptFailure.limit(ApiError.server(504, "stream_max_duration",
                    "The response took longer than the platform's maximum duration."), upstreamStatus));
            return;
        }
        if (outcome.claim()) {
            accessRecord.errorCode(reason == ClientStream.CloseReason.CLIENT_GONE ? "client_gone" : "client_too_slow");
        }
        upstreamCall.cancel();
    }

    // ---- internals ----

    private void upstreamFailed(Exception cause) {
        if (outcome.isFinished()) {
            return;
        }
        LOG.debug("upstream exchange failed: {}", cause.getClass().getSimpleName());
        outcome.finishOnce(failureOf(cause));
    }

    /**
     * An HTTP/2 stream silent for the idle timeout: the same outcome as HTTP/1.1's socket timeout, but the upstream is
     * still there, so its stream is reset (and only its stream).
     */
    private void upstreamIdle(long idleTimeoutMs) {
        if (!outcome.isFinished()) {
            LOG.debug("upstream stream idle for {} ms", idleTimeoutMs);
            outcome.abandon(failureOf(new SocketTimeoutException(
                    "no upstream bytes for " + idleTimeoutMs + " ms")));
        }
    }

    private AttemptFailure failureOf(Exception cause) {
        if (outcome.isCommitted() && cause instanceof SocketTimeoutException) {
            // The socket timeout (or, over HTTP/2, the IdleWatch) is the idle timeout: the upstream went silent.
            return AttemptFailure.connection(ApiError.server(504, "upstream_idle_timeout",
                    "The upstream stopped sending for longer than the platform's idle timeout."), cause);
        }
        if (outcome.isCommitted()) {
            return AttemptFailure.connection(ApiError.server(502, "upstream_stream_interrupted",
                    "The upstream connection failed while streaming."), cause);
        }
        return AttemptFailure.connection(UpstreamFailures.fromException(cause), cause);
    }

    private void touchIdleWatch() {
        IdleWatch watch = upstreamCall.idleWatch();
        if (watch != null) {
            watch.touch();
        }
    }

    private void firstByteTimedOut() {
        if (responded.compareAndSet(false, true)) {
            outcome.abandon(AttemptFailure.firstByteTimeout(
                    ApiError.server(504, "upstream_timeout", "The upstream did not answer in time.")));
        }
    }

    private void grantCreditIfDrained() {
        CapacityChannel channel = capacity;
        if (channel != null && clientStream.pendingBytes() == 0 && creditWanted.compareAndSet(true, false)) {
            try {
                channel.update(CREDIT_WINDOW);
            } catch (IOException e) {
                upstreamFailed(e);
            }
        }
    }

    private void complete() {
        upstreamCall.released();
        FutureCallback<Void> callback = resultCallback;
        resultCallback = null;
        if (callback != null) {
            callback.completed(null);
        }
    }

    private static String headerValue(HttpResponse response, String name) {
        Header header = response.getFirstHeader(name);
        return header == null ? null : header.getValue();
    }
}
