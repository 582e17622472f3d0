package dev.switchboard.usage;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The access log: one line per request on the {@code switchboard.access} logger, as {@code key=value} pairs. Every
 * value comes from the configuration or from the gateway's own state; none is a credential, a body or a URL.
 */
public final class AccessLog {
    private static final Logger ACCESS = LogManager.getLogger("switchboard.access");

    private AccessLog() {}

    /** For requests that went asynchronous: logs once, when the container completes the request. */
    public static void logOnComplete(AsyncContext async, AccessRecord record) {
        record.markAsync();
        HttpServletResponse clientResponse = (HttpServletResponse) async.getResponse();
        AtomicBoolean logged = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                if (logged.compareAndSet(false, true)) {
                    write(record, clientResponse.getStatus());
                }
            }

            @Override
            public void onTimeout(AsyncEvent event) {}

            @Override
            public void onError(AsyncEvent event) {}

            @Override
            public void onStartAsync(AsyncEvent event) {}
        });
    }

    public static void write(AccessRecord record, int status) {
        if (!ACCESS.isInfoEnabled()) {
            return;
        }
        long now = System.nanoTime();
        String tokens = record.hasUsage()
                ? " prompt_tokens=" + record.promptTokens() + " completion_tokens=" + record.completionTokens()
                        + " total_tokens=" + (record.promptTokens() + record.completionTokens())
                : "";
        ACCESS.info("request_id={} caller={} mode={} platform={} model={} status={} upstream_status={} "
                        + "attempts={} upstream={} duration_ms={} ttfb_ms={} error={}{}",
                record.requestId(), record.caller(), record.mode(), record.platform(), record.model(), status,
                record.upstreamStatus() == 0 ? "-" : Integer.toString(record.upstreamStatus()),
                record.attempts(), record.upstream(),
                millis(now - record.startNanos()),
                record.firstByteNanos() == 0 ? "-" : millis(record.firstByteNanos() - record.startNanos()),
                record.errorCode(), tokens);
    }

    /**
     * Nanoseconds as milliseconds with two decimals, rounded half up: what {@code String.format("%.2f", ms)} printed,
     * without the Formatter, which was ~6-8 % of the gateway's CPU samples per request (BENCHMARKS.md, JFR).
     */
    static String millis(long nanos) {
        long hundredths = (Math.abs(nanos) + 5_000) / 10_000;
        long whole = hundredths / 100;
        int frac = (int) (hundredths % 100);
        StringBuilder out = new StringBuilder(12);
        if (nanos < 0 && hundredths != 0) {
            out.append('-');
        }
        return out.append(whole).append('.').append(frac < 10 ? "0" : "").append(frac).toString();
    }
}
