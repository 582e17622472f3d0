package dev.switchboard.auth;

import dev.switchboard.config.LimitsConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.web.ErrorResponses;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Application-scoped, thread-safe: slows down credential guessing from one source address. After
 * {@code maxFailures} credential failures within a window (which starts at that address's first failure), further
 * requests from the address get 429 {@code too_many_auth_failures} with Retry-After until the window ends, without
 * their credentials being checked — a correct key too, or a guesser could tell a hit from the status.
 *
 * <p>The address is the TCP peer ({@link HttpServletRequest#getRemoteAddr()}): {@code X-Forwarded-For} is written by
 * the caller and would let a guesser pick a fresh address per request. Behind a proxy that is the proxy's address.
 *
 * <p>Memory is bounded: at most {@code maxAddresses} addresses are tracked. They are kept in the order their windows
 * started, so expired windows are dropped from the front, and past the bound the oldest window is forgotten.
 */
public final class AuthFailureThrottle {
    public static final String ATTRIBUTE = AuthFailureThrottle.class.getName();

    private final int maxFailures;
    private final long windowNanos;
    private final int maxAddresses;
    private final LongSupplier nanoTime;
    /** Address to its current window, oldest window first; guarded by this. */
    private final LinkedHashMap<String, Window> windows = new LinkedHashMap<>();

    private static final class Window {
        final long start;
        int failures;

        Window(long start) {
            this.start = start;
        }
    }

    public AuthFailureThrottle(int maxFailures, long windowMillis, int maxAddresses, LongSupplier nanoTime) {
        this.maxFailures = maxFailures;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.maxAddresses = maxAddresses;
        this.nanoTime = nanoTime;
    }

    public static AuthFailureThrottle of(LimitsConfig limits, LongSupplier nanoTime) {
        return new AuthFailureThrottle(limits.maxAuthFailures(), limits.authFailureWindowMs(),
                limits.maxTrackedAddresses(), nanoTime);
    }

    /** Nanoseconds until {@code address} may present credentials again; 0 when it may now. */
    public synchronized long blockedNanos(String address) {
        Window window = windows.get(address);
        if (window == null) {
            return 0;
        }
        long left = window.start + windowNanos - nanoTime.getAsLong();
        return window.failures >= maxFailures && left > 0 ? left : 0;
    }

    /** Counts one credential failure from {@code address}. */
    public synchronized void failed(String address) {
        long now = nanoTime.getAsLong();
        dropExpired(now);
        Window window = windows.get(address);
        if (window == null) {
            window = new Window(now);
            windows.put(address, window);
            if (windows.size() > maxAddresses) {
                Iterator<Map.Entry<String, Window>> oldest = windows.entrySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
        window.failures++;
    }

    synchronized int trackedAddresses() {
        return windows.size();
    }

    /** Windows start in insertion order, so the expired ones are all at the front. */
    private void dropExpired(long now) {
        Iterator<Window> iterator = windows.values().iterator();
        while (iterator.hasNext() && now - iterator.next().start >= windowNanos) {
            iterator.remove();
        }
    }

    /** The throttle of this deployment; {@code null} before the gateway has started. */
    static AuthFailureThrottle of(ServletContext context) {
        return (AuthFailureThrottle) context.getAttribute(ATTRIBUTE);
    }

    /** Answers 429 and returns true when the request's source address is throttled. */
    boolean refuse(HttpServletRequest clientRequest, HttpServletResponse clientResponse) throws IOException {
        long left = blockedNanos(clientRequest.getRemoteAddr());
        if (left == 0) {
            return false;
        }
        long seconds = Math.max(1, (left + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        ApiError error = new ApiError(429, ApiError.RATE_LIMIT, "too_many_auth_failures", null,
                "Too many failed authentication attempts from this address; retry after " + seconds + " second"
                        + (seconds == 1 ? "" : "s") + ".", Map.of("Retry-After", Long.toString(seconds)));
        ((AccessRecord) clientRequest.getAttribute(AccessRecord.ATTRIBUTE)).errorCode(error.code());
        ErrorResponses.writeBeforeBody(clientRequest, clientResponse, error);
        return true;
    }

    void failed(HttpServletRequest clientRequest) {
        failed(clientRequest.getRemoteAddr());
    }
}
