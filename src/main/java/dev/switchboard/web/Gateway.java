package dev.switchboard.web;

import dev.switchboard.auth.Licenses;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.TimeoutsConfig;
import dev.switchboard.openai.ChatRequestParser;
import dev.switchboard.route.PlatformRegistry;
import dev.switchboard.sse.ClientProbe;
import dev.switchboard.upstream.AttemptPlan;
import dev.switchboard.upstream.MonotonicClock;
import dev.switchboard.upstream.RetryBudget;
import dev.switchboard.upstream.TokenPool;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.vendor.VendorRegistry;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Application-scoped: everything built from the configuration once at deployment and shared by all requests.
 * Thread-safe (every part is immutable or thread-safe).
 */
public final class Gateway implements AutoCloseable {
    static final String ATTRIBUTE = Gateway.class.getName();

    /** How often the timer's keeper task runs; deadlines at least this far off do not wake the timer thread. */
    private static final long KEEPER_PERIOD_MS = 1000;

    private final GatewayConfig config;
    private final ScheduledThreadPoolExecutor timer;
    private final ScheduledFuture<?> keeper;
    private final PlatformRegistry platforms;
    final Licenses licenses;
    private final UpstreamClient upstreamClient;
    private final ChatRequestParser parser;
    private final ClientProbe clientProbe;
    /** Monotonic: cooldowns and deadlines must not stretch or shrink when the wall clock is stepped. */
    private final Clock clock = MonotonicClock.system();
    private final RetryBudget retryBudget = RetryBudget.defaults();

    Gateway(GatewayConfig config) {
        this.config = config;
        // One timer thread for every stream's timers (first byte, heartbeat, mock pacing): no thread per stream.
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "switchboard-timer");
            thread.setDaemon(true);
            return thread;
        });
        // Timers are mostly cancelled long before they fire; without this they would pile up in the queue.
        timer.setRemoveOnCancelPolicy(true);
        // The timer thread waits for the head of its queue and is woken only when a new task becomes the head. With
        // nothing else queued, every request's first-byte timeout or heartbeat would be that head: one more thread
        // to wake on the request path, which costs tens to hundreds of µs on an idle VM (BENCHMARKS.md, sixth round).
        // This no-op is always at most a second away, so the usual deadlines (seconds) queue behind it silently; the
        // price is one wake-up a second.
        this.keeper = timer.scheduleAtFixedRate(() -> { }, KEEPER_PERIOD_MS, KEEPER_PERIOD_MS, TimeUnit.MILLISECONDS);
        this.clientProbe = ClientProbe.start();
        this.platforms = new PlatformRegistry(config, new VendorRegistry(timer), clock);
        this.licenses = new Licenses(config.licenses());
        Map<String, TimeoutsConfig> timeoutsByHost = new HashMap<>();
        Set<String> http2Hosts = new HashSet<>();
        config.platforms().values().stream()
                .filter(platform -> platform.baseUrl() != null)
                .forEach(platform -> {
                    String host = UpstreamClient.hostKey(platform.baseUrl());
                    timeoutsByHost.put(host, platform.timeouts());
                    if (platform.http2()) {
                        http2Hosts.add(host); // the validator made every platform on this host agree
                    }
                });
        this.upstreamClient = new UpstreamClient(config.upstream(), timeoutsByHost, http2Hosts);
        this.parser = new ChatRequestParser(config.limits().maxJsonDepth(), config.limits().maxRequestBytes());
    }

    static Gateway of(ServletContext context) {
        return (Gateway) context.getAttribute(ATTRIBUTE);
    }

    GatewayConfig config() {
        return config;
    }

    ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    /** Tasks queued on the timer, not counting its keeper: 0 on an idle gateway (a leak check for the stats). */
    int timerTasks() {
        return (int) timer.getQueue().stream().filter(task -> task != keeper).count();
    }

    PlatformRegistry platforms() {
        return platforms;
    }

    UpstreamClient upstreamClient() {
        return upstreamClient;
    }

    /** Notices clients that leave before their response commits; it scans on a thread of its own. */
    ClientProbe clientProbe() {
        return clientProbe;
    }

    ChatRequestParser parser() {
        return parser;
    }

    Clock clock() {
        return clock;
    }

    /** A request's managed-mode attempt plan over these token pools, in the order to try them. */
    AttemptPlan newPlan(List<TokenPool> pools) {
        return new AttemptPlan(pools, retryBudget, clock, () -> ThreadLocalRandom.current().nextDouble());
    }

    @Override
    public void close() throws IOException {
        try {
            clientProbe.close();
            upstreamClient.close();
        } finally {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
