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
import dev.switchboard.vendor.Vendor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-exchange: the streaming side of an {@link UpstreamExchange} — upstream SSE bytes decoded, each event
 * translated, the stream's start held in a {@link StartupBuffer} until it says something, then handed to the
 * {@link ClientStream}.
 *
 * <p>Not thread-safe: created and fed on the exchange's I/O thread only, which HttpClient never runs concurrently
 * for one exchange; that is what keeps a stream's events in the order they came. Other threads can only end the
 * exchange, through the shared {@link AttemptOutcome}, which this relay checks before each event.
 */
final class StreamRelay {
    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final AttemptOutcome outcome;
    private final int upstreamStatus;
    private final SseDecoder decoder;
    private final StreamTranslator translator;
    private final List<SseEvent> decoded = new ArrayList<>();
    private final EventSink sink = this::emit;
    /** Holds the stream's first events until one carries content; {@code null} once committed or when not holding. */
    private StartupBuffer startup;

    /**
     * @param startup the events to hold before commit, or {@code null} to commit on the first event (pass-through
     *                mode, which never retries)
     */
    StreamRelay(Vendor vendor, ChatRequest clientRequest, ClientStream clientStream, AccessRecord accessRecord,
            AttemptOutcome outcome, int upstreamStatus, int maxEventBytes, UpstreamExchange.StartupLimits startup) {
        this.clientStream = clientStream;
        this.accessRecord = accessRecord;
        this.outcome = outcome;
        this.upstreamStatus = upstreamStatus;
        this.decoder = new SseDecoder(maxEventBytes);
        this.translator = vendor.newStreamTranslator(clientRequest);
        this.startup = startup == null ? null : new StartupBuffer(startup.maxEvents(), startup.maxBytes());
    }

    /** Zero or more times, with the next upstream bytes; a broken stream abandons the exchange. */
    void consume(ByteBuffer data) {
        try {
            decoder.feed(data, decoded::add);
            translateDecoded();
        } catch (SseException e) {
            outcome.abandon(eventTooLarge());
        } catch (UpstreamFormatException e) {
            outcome.abandon(AttemptFailure.invalid(e, upstreamStatus));
        }
    }

    /** Once, when the upstream stream has ended and the outcome is not yet taken: the tail, then the end. */
    void end() {
        try {
            decoder.end(decoded::add);
            translateDecoded();
            translator.onEnd(sink);
            if (!outcome.isFinished()) {
                releaseStartup(); // a stream that ended without content still goes out as it came
            }
            if (outcome.claim()) {
                outcome.commit();
                clientStream.endStream();
            }
        } catch (SseException e) {
            outcome.finishOnce(eventTooLarge());
        } catch (UpstreamFormatException e) {
            outcome.finishOnce(AttemptFailure.invalid(e, upstreamStatus));
        }
    }

    private void translateDecoded() throws UpstreamFormatException {
        try {
            for (SseEvent event : decoded) {
                if (outcome.isFinished()) {
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
                    outcome.abandon(AttemptFailure.invalid(ApiError.server(502, "upstream_error",
                            "The upstream reported an error at the start of the stream."), upstreamStatus,
                            json.getBytes(StandardCharsets.UTF_8)));
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
        outcome.commit();
        clientStream.event(json);
    }

    private AttemptFailure eventTooLarge() {
        return AttemptFailure.invalid(ApiError.server(502, "upstream_event_too_large",
                "The upstream sent an event larger than the gateway accepts."), upstreamStatus, null);
    }
}
