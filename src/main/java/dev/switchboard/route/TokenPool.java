package dev.switchboard.route;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A platform's managed vendor tokens, handed out round-robin; thread-safe. Health tracking and rotation on failure
 * belong to the resilience work and will live here.
 */
public final class TokenPool {
    private final List<String> tokens;
    private final AtomicInteger next = new AtomicInteger();

    public TokenPool(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /** The token for the next attempt. */
    public String next() {
        return tokens.get(Math.floorMod(next.getAndIncrement(), tokens.size()));
    }
}
