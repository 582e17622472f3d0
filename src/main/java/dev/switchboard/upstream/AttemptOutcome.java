package dev.switchboard.upstream;

import dev.switchboard.openai.ApiError;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.usage.AccessRecord;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-attempt: the single outcome of one {@link UpstreamExchange} and its commit point.
 *
 * <p>Several threads may try to end an exchange: the I/O thread (the response ended, broke or overflowed), the
 * shared timer (no first byte in time) and a container thread (the client left, the stream timed out). Each first
 * claims the outcome ({@link #claim}) and acts only if it won, so the outcome reaches the client exactly once, and the
 * failure that a cancellation itself provokes on the I/O thread finds the outcome taken and is not reported instead.
 * Thread-safe.
 */
final class AttemptOutcome {
    private final AttemptListener listener;
    private final ClientStream clientStream;
    private final AccessRecord accessRecord;
    private final UpstreamCall upstreamCall;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean committed;

    AttemptOutcome(AttemptListener listener, ClientStream clientStream, AccessRecord accessRecord,
            UpstreamCall upstreamCall) {
        this.listener = listener;
        this.clientStream = clientStream;
        this.accessRecord = accessRecord;
        this.upstreamCall = upstreamCall;
    }

    /** True once some thread has claimed the outcome; from then on nothing more may go to the client. */
    boolean isFinished() {
        return finished.get();
    }

    /** Takes the outcome; true for exactly one caller, which must then end the exchange. */
    boolean claim() {
        return finished.compareAndSet(false, true);
    }

    boolean isCommitted() {
        return committed;
    }

    /**
     * Marks the commit point before the first bytes go to the client, telling the listener once. I/O thread only
     * (the single writer of {@code committed}), so the check-then-set needs no atomic.
     */
    void commit() {
        if (!committed) {
            committed = true;
            listener.committed();
        }
    }

    /**
     * Ends an exchange the upstream is still working on: claims the outcome first (so the failure the cancellation
     * itself causes is not reported instead), stops the upstream, then tells the client.
     */
    void abandon(AttemptFailure failure) {
        if (claim()) {
            upstreamCall.cancel();
            report(failure);
        }
    }

    /** Ends an exchange whose upstream response is complete, with a failure. */
    void finishOnce(AttemptFailure failure) {
        if (claim()) {
            report(failure);
        }
    }

    /**
     * The one place a failure leaves the exchange: to the listener before commit (it decides what the client sees),
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
}
