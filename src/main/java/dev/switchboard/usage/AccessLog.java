package dev.switchboard.usage;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / (double) TimeUnit.MILLISECONDS.toNanos(1));
    }
}
