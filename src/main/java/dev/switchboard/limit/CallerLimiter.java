package dev.switchboard.limit;

import dev.switchboard.auth.Caller;
import dev.switchboard.config.AppConfig;
import dev.switchboard.config.CallerLimitsConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.LicenseConfig;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Application-scoped, thread-safe: each caller's concurrency and requests-per-minute limits, keyed by
 * {@link Caller#name()}. Callers not in the configuration (none today) get the defaults.
 *
 * <p>Memory is bounded: at most {@code maxTracked} callers are remembered, or as many as have requests in flight if
 * that is more. Past the bound, callers with nothing in flight and a full bucket are forgotten first (nothing is lost),
 * then callers with nothing in flight (their bucket starts full again: lenient, never stricter). A caller with a
 * request in flight is never forgotten, so its slot always goes back to the state that counted it.
 */
public final class CallerLimiter {
    public static final String ATTRIBUTE = CallerLimiter.class.getName();
    /** Far above any configuration's license and app count; only a flood of distinct caller names reaches it. */
    static final int DEFAULT_MAX_TRACKED = 100_000;

    private final Map<String, CallerLimitsConfig> byCaller;
    private final CallerLimitsConfig defaults;
    private final int maxTracked;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    /** {@code byCaller} and {@code defaults} have every field set ({@link CallerLimitsConfig#orDefaults}). */
    public CallerLimiter(Map<String, CallerLimitsConfig> byCaller, CallerLimitsConfig defaults, int maxTracked,
            LongSupplier nanoTime) {
        this.byCaller = Map.copyOf(byCaller);
        this.defaults = defaults;
        this.maxTracked = maxTracked;
        this.nanoTime = nanoTime;
    }

    /** Every license's and app's limits, under the name its {@link Caller} will carry. */
    public static CallerLimiter of(GatewayConfig config, LongSupplier nanoTime) {
        Map<String, CallerLimitsConfig> byCaller = new HashMap<>();
        for (LicenseConfig license : config.licenses()) {
            byCaller.put(Caller.license(license).name(), license.limits().orDefaults(config.limits()));
        }
        for (AppConfig app : config.apps()) {
            byCaller.put(Caller.app(app).name(), app.limits().orDefaults(config.limits()));
        }
        return new CallerLimiter(byCaller, CallerLimitsConfig.DEFAULTS.orDefaults(config.limits()),
                Math.max(DEFAULT_MAX_TRACKED, 2 * byCaller.size()), nanoTime);
    }

    /**
     * Takes one concurrency slot and one token for {@code caller}. Returns what gives the slot back: idempotent, to be
     * run once the response has completed.
     *
     * @throws ApiException 429 {@code rate_limit_exceeded} with {@code Retry-After}; nothing is taken
     */
    public Runnable acquire(String caller) throws ApiException {
        long now = nanoTime.getAsLong();
        if (states.size() >= maxTracked && !states.containsKey(caller)) {
            forget(now);
        }
        while (true) {
            State state = states.computeIfAbsent(caller, name -> new State(limitsOf(name), now));
            synchronized (state) {
                if (state.forgotten) {
                    continue; // lost a race with forget(): take the fresh state
                }
                if (state.active >= state.maxConcurrent) {
                    throw new ApiException(tooManyConcurrent());
                }
                long wait = state.rate.tryTake(now);
                if (wait > 0) {
                    throw new ApiException(tooManyPerMinute(wait));
                }
                state.active++;
            }
            AtomicBoolean released = new AtomicBoolean();
            return () -> {
                if (released.compareAndSet(false, true)) {
                    state.release();
                }
            };
        }
    }

    /** Requests {@code caller} has in flight now. */
    public int inFlight(String caller) {
        State state = states.get(caller);
        if (state == null) {
            return 0;
        }
        synchronized (state) {
            return state.active;
        }
    }

    int trackedCallers() {
        return states.size();
    }

    private CallerLimitsConfig limitsOf(String caller) {
        return byCaller.getOrDefault(caller, defaults);
    }

    /** Forgets idle callers; if that is not enough, callers with nothing in flight. */
    private void forget(long now) {
        states.forEach((name, candidate) -> forgetIf(name, now, true));
        if (states.size() >= maxTracked) {
            states.forEach((name, candidate) -> forgetIf(name, now, false));
        }
    }

    private void forgetIf(String name, long now, boolean onlyFull) {
        states.computeIfPresent(name, (key, state) -> {
            synchronized (state) {
                if (state.active == 0 && (!onlyFull || state.rate.isFull(now))) {
                    state.forgotten = true;
                    return null;
                }
                return state;
            }
        });
    }

    /** 429 with {@code Retry-After: 1}: when one of the caller's own requests ends is not known in advance. */
    static ApiError tooManyConcurrent() {
        return new ApiError(429, ApiError.RATE_LIMIT, "rate_limit_exceeded", null,
                "Too many concurrent requests for this credential; retry when one of them has finished.",
                Map.of("Retry-After", "1"));
    }

    /** 429 with {@code Retry-After}: whole seconds until a token is back, at least 1. */
    static ApiError tooManyPerMinute(long waitNanos) {
        long seconds = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        return new ApiError(429, ApiError.RATE_LIMIT, "rate_limit_exceeded", null,
                "Rate limit reached: too many requests per minute for this credential. Retry after " + seconds
                        + " second" + (seconds == 1 ? "" : "s") + ".",
                Map.of("Retry-After", Long.toString(seconds)));
    }

    /** One caller's counters; every field is guarded by the object's monitor. */
    private static final class State {
        final int maxConcurrent;
        final RequestRate rate;
        int active;
        boolean forgotten;

        State(CallerLimitsConfig limits, long now) {
            this.maxConcurrent = limits.maxConcurrent();
            this.rate = new RequestRate(limits.requestsPerMinute(), now);
        }

        synchronized void release() {
            active--;
        }
    }
}
