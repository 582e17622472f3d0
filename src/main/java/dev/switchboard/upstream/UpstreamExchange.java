package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.sse.SseDecoder;
import dev.switchboard.sse.SseEvent;
import dev.switchboard.sse.SseException;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.usage.UsageParser;
import dev.switchboard.vendor.EventSink;
import dev.switchboard.vendor.StreamTranslator;
import dev.switchboard.vendor.UpstreamFormatException;
import dev.switchboard.vendor.UpstreamRequest;
import dev.switchboard.vendor.Vendor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOSession;
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
 * {@link #finishOnce}.
 */
public final class UpstreamExchange implements AsyncResponseConsumer<Void>, FutureCallback<Void>, ClientStream.Listener {
    private static final Logger LOG = LogManager.getLogger(UpstreamExchange.class);
    /** Upstream bytes read ahead per grant while the client keeps up; small enough to bound memory per stream. */
    private static final int CREDIT_WINDOW = 64 * 1024;

    private final Vendor vendor;
    private final ChatRequest clientRequest;
    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final AttemptListener listener;
    private final int maxEventBytes;
    private final long maxResponseBytes;

    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean responded = new AtomicBoolean();
    private final AtomicBoolean creditWanted = new AtomicBoolean();
    private volatile boolean committed;
    private volatile CapacityChannel capacity;
    private volatile Future<Void> upstreamCall;
    private volatile ScheduledFuture<?> firstByteTimer;
    /** The upstream connection while this exchange holds it; guarded by itself. */
    private IOSession connection;
    private boolean connectionReleased;

    // I/O-thread state: touched only by HttpClient's callbacks for this exchange, which never overlap.
    private FutureCallback<Void> resultCallback;
    private int upstreamStatus;
    private String retryAfter;
    private String retryAfterMs;
    private String upstreamContentType;
    private boolean streaming;
    private boolean expectJson;
    private SseDecoder decoder;
    private StreamTranslator translator;
    private final List<SseEvent> decoded = new ArrayList<>();
    private BoundedBody body;
    /** Holds a stream's first events until one carries content; {@code null} once committed or when not holding. */
    private StartupBuffer startup;
    private final EventSink sink = this::emit;

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
        this.listener = listener;
        this.maxEventBytes = maxEventBytes;
        this.maxResponseBytes = maxResponseBytes;
        this.startup = startup == null ? null : new StartupBuffer(startup.maxEvents(), startup.maxBytes());
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
        firstByteTimer = timer.schedule(this::firstByteTimedOut, firstByteTimeoutMs, TimeUnit.MILLISECONDS);
        upstreamCall = client.execute(upstreamRequest, idleTimeoutMs, this, this, this::onConnection);
        if (finished.get()) {
            upstreamCall.cancel(true); // the client left while the request was being handed over
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
        cancelFirstByteTimer();
        onConnection(ConnectionTracker.current());
        resultCallback = callback;
        upstreamStatus = upstreamResponse.getCode();
        accessRecord.upstreamStatus(upstreamStatus);
        retryAfter = headerValue(upstreamResponse, "Retry-After");
        retryAfterMs = headerValue(upstreamResponse, "retry-after-ms");
        upstreamContentType = headerValue(upstreamResponse, "Content-Type");
        String contentType = upstreamContentType == null ? "" : upstreamContentType.trim().toLowerCase(Locale.ROOT);
        boolean success = upstreamStatus >= 200 && upstreamStatus < 300;
        streaming = success && clientRequest.stream() && contentType.startsWith("text/event-stream");
        expectJson = contentType.startsWith("application/json") || contentType.endsWith("+json");
        if (streaming) {
            decoder = new SseDecoder(maxEventBytes);
            translator = vendor.newStreamTranslator(clientRequest);
        } else {
            body = new BoundedBody(maxResponseBytes);
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
        if (body != null) {
            // Whole bodies are read as fast as they come; BoundedBody caps their size.
            capacityChannel.update(Integer.MAX_VALUE);
            return;
        }
        creditWanted.set(true);
        grantCreditIfDrained();
    }

    @Override
    public void consume(ByteBuffer data) throws IOException {
        if (finished.get()) {
            // Abandoned: failing here makes httpcore close the connection instead of reading on.
            throw new IOException("exchange abandoned by the gateway");
        }
        if (!streaming) {
            if (!body.append(data)) {
                abandon(AttemptFailure.limit(ApiError.server(502, "upstream_response_too_large",
                        "The upstream response exceeded the gateway's size limit."), upstreamStatus));
            }
            return;
        }
        try {
            decoder.feed(data, decoded::add);
            translateDecoded();
        } catch (SseException e) {
            abandon(eventTooLarge());
        } catch (UpstreamFormatException e) {
            abandon(invalid(e));
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
        if (finished.get()) {
            complete();
            return;
        }
        if (streaming) {
            try {
                decoder.end(decoded::add);
                translateDecoded();
                translator.onEnd(sink);
                if (!finished.get()) {
                    releaseStartup(); // a stream that ended without content still goes out as it came
                }
                if (finished.compareAndSet(false, true)) {
                    commit();
                    clientStream.endStream();
                }
            } catch (SseException e) {
                finishOnce(eventTooLarge());
            } catch (UpstreamFormatException e) {
                finishOnce(invalid(e));
            }
        } else {
            respondWithBody();
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
        cancelFirstByteTimer();
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
            abandon(AttemptFailure.limit(ApiError.server(504, "stream_max_duration",
                    "The response took longer than the platform's maximum duration."), upstreamStatus));
            return;
        }
        if (finished.compareAndSet(false, true)) {
            accessRecord.errorCode(reason == ClientStream.CloseReason.CLIENT_GONE ? "client_gone" : "client_too_slow");
        }
        cancelUpstream();
    }

    // ---- internals ----

    private void translateDecoded() throws UpstreamFormatException {
        try {
            for (SseEvent event : decoded) {
                if (finished.get()) {
                    return;
                }
                translator.onEvent(event, sink);
            }
        } finally {
            decoded.clear();
        }
    }

    private void emit(String json) {
        if (startup != null) {
            switch (startup.offer(json)) {
                case HOLD -> {
                    return;
                }
                case ERROR -> {
                    // "200, then an error event": nothing was said yet, so this is a failure before commit.
                    abandon(AttemptFailure.invalid(ApiError.server(502, "upstream_error",
                            "The upstream reported an error at the start of the stream."), upstreamStatus,
                            json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    return;
                }
                case RELEASE -> {
                    releaseStartup();
                    return;
                }
            }
        }
        send(json);
    }

    /** Commits a held stream: everything held goes to the client in order. */
    private void releaseStartup() {
        StartupBuffer held = startup;
        if (held == null) {
            return;
        }
        startup = null;
        for (String event : held.release()) {
            send(event);
        }
    }

    private void send(String json) {
        if (!accessRecord.hasUsage() && UsageParser.mayCarryUsage(json)) {
            UsageParser.read(json, accessRecord);
        }
        commit();
        clientStream.event(json);
    }

    private void commit() {
        if (!committed) {
            committed = true;
            listener.committed();
        }
    }

    private void respondWithBody() {
        byte[] upstreamBody = body.toByteArray();
        boolean success = upstreamStatus >= 200 && upstreamStatus < 300;
        if (!success) {
            finishOnce(new AttemptFailure(AttemptFailure.Stage.ERROR_STATUS,
                    UpstreamFailures.fromStatus(vendor, upstreamStatus, retryAfter, upstreamBody), null,
                    upstreamStatus, upstreamContentType, retryAfter, retryAfterMs, upstreamBody));
            return;
        }
        if (clientRequest.stream() || !expectJson) {
            finishOnce(AttemptFailure.invalid(ApiError.server(502, UpstreamFormatException.INVALID_RESPONSE,
                    "The upstream answered in a format the gateway does not understand."), upstreamStatus, null));
            return;
        }
        try {
            byte[] clientBody = vendor.toClientResponse(upstreamBody, clientRequest);
            UsageParser.read(clientBody, accessRecord);
            if (finished.compareAndSet(false, true)) {
                commit();
                clientStream.respond(200, "application/json", Map.of(), clientBody);
            }
        } catch (UpstreamFormatException e) {
            finishOnce(invalid(e));
        }
    }

    private void upstreamFailed(Exception cause) {
        if (finished.get()) {
            return;
        }
        LOG.debug("upstream exchange failed: {}", cause.getClass().getSimpleName());
        if (committed && cause instanceof java.net.SocketTimeoutException) {
            // HttpClient's socket timeout is the idle timeout (idleMs): the upstream went silent mid-stream.
            finishOnce(AttemptFailure.connection(ApiError.server(504, "upstream_idle_timeout",
                    "The upstream stopped sending for longer than the platform's idle timeout."), cause));
        } else if (committed) {
            finishOnce(AttemptFailure.connection(ApiError.server(502, "upstream_stream_interrupted",
                    "The upstream connection failed while streaming."), cause));
        } else {
            finishOnce(AttemptFailure.connection(UpstreamFailures.fromException(cause), cause));
        }
    }

    private void firstByteTimedOut() {
        if (responded.compareAndSet(false, true)) {
            abandon(AttemptFailure.firstByteTimeout(
                    ApiError.server(504, "upstream_timeout", "The upstream did not answer in time.")));
        }
    }

    /**
     * Ends an exchange the upstream is still working on: claims the outcome first (so the failure the cancellation
     * itself causes is not reported instead), stops the upstream, then tells the client.
     */
    private void abandon(AttemptFailure failure) {
        if (finished.compareAndSet(false, true)) {
            cancelUpstream();
            report(failure);
        }
    }

    /** Ends an exchange whose upstream response is complete, with a failure. */
    private void finishOnce(AttemptFailure failure) {
        if (finished.compareAndSet(false, true)) {
            report(failure);
        }
    }

    /**
     * The one place a failure leaves this exchange: to the listener before commit (it decides what the client sees),
     * in-band to the client after it.
     */
    private void report(AttemptFailure failure) {
        if (!committed) {
            listener.failedBeforeCommit(failure);
            return;
        }
        ApiError error = failure.error();
        accessRecord.errorCode(error.code());
        clientStream.fail(error.status(), error.headers(), error.toJson());
    }

    private AttemptFailure eventTooLarge() {
        return AttemptFailure.invalid(ApiError.server(502, "upstream_event_too_large",
                "The upstream sent an event larger than the gateway accepts."), upstreamStatus, null);
    }

    private AttemptFailure invalid(UpstreamFormatException e) {
        return AttemptFailure.invalid(ApiError.server(502, e.code(), e.getMessage()), upstreamStatus, null);
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

    private void cancelUpstream() {
        cancelFirstByteTimer();
        Future<Void> call = upstreamCall;
        if (call != null) {
            call.cancel(true);
        }
        synchronized (this) {
            if (connection != null && !connectionReleased) {
                connection.close(CloseMode.IMMEDIATE);
            }
            connection = null;
        }
    }

    private synchronized void onConnection(IOSession session) {
        if (session != null && !connectionReleased) {
            connection = session;
        }
    }

    /** Before the connection goes back to the pool, so it is never closed under another exchange. */
    private synchronized void releaseConnection() {
        connectionReleased = true;
        connection = null;
    }

    private void cancelFirstByteTimer() {
        ScheduledFuture<?> timer = firstByteTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void complete() {
        releaseConnection();
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
