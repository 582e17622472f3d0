package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.openai.ApiError;
import dev.switchboard.usage.AccessRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once outcome of an exchange before its commit point: whoever claims first acts, and an abandoned
 * exchange stops the upstream before the failure is reported. After commit the report is in-band, which needs a live
 * {@code ClientStream}; the streaming ITs cover it.
 */
class AttemptOutcomeTest {
    private final List<String> heard = new ArrayList<>();
    private final CompletableFuture<Void> upstream = new CompletableFuture<>();
    private final UpstreamCall call = new UpstreamCall();
    private final AttemptOutcome outcome = new AttemptOutcome(new AttemptListener() {
        @Override
        public void committed() {
            heard.add("committed");
        }

        @Override
        public void failedBeforeCommit(AttemptFailure failure) {
            heard.add("failed " + failure.error().code() + (upstream.isCancelled() ? " after cancel" : ""));
        }
    }, null, new AccessRecord(), call);

    @BeforeEach
    void started() {
        call.started(upstream);
    }

    @Test
    void theFirstClaimWinsAndEveryLaterEndingIsIgnored() {
        assertFalse(outcome.isFinished());
        assertTrue(outcome.claim());
        assertTrue(outcome.isFinished());
        assertFalse(outcome.claim());
        outcome.abandon(timeout());
        outcome.finishOnce(timeout());
        assertEquals(List.of(), heard);
        assertFalse(upstream.isCancelled(), "abandon after another claim must not cancel the upstream");
    }

    @Test
    void abandonStopsTheUpstreamThenReportsOnce() {
        outcome.abandon(timeout());
        outcome.abandon(timeout());
        outcome.finishOnce(timeout());
        assertEquals(List.of("failed upstream_timeout after cancel"), heard);
    }

    @Test
    void finishOnceReportsWithoutCancelling() {
        outcome.finishOnce(timeout());
        assertEquals(List.of("failed upstream_timeout"), heard);
        assertFalse(upstream.isCancelled());
    }

    @Test
    void commitTellsTheListenerOnce() {
        assertFalse(outcome.isCommitted());
        outcome.commit();
        outcome.commit();
        assertTrue(outcome.isCommitted());
        assertEquals(List.of("committed"), heard);
        assertFalse(outcome.isFinished());
    }

    private static AttemptFailure timeout() {
        return AttemptFailure.firstByteTimeout(ApiError.server(504, "upstream_timeout", "late"));
    }
}
