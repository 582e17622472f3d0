package dev.switchboard.upstream;

import dev.switchboard.config.RetryConfig;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): retry n waits a uniformly
 * random time in [0, min(cap, base·2ⁿ)], which spreads retries of many requests that failed together. Immutable;
 * thread-safe when its random source is (the default one is).
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    private final DoubleSupplier random;

    /** @param random values in [0, 1); tests pass a fixed sequence */
    public Backoff(Duration base, Duration cap, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap");
        }
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    public static Backoff of(RetryConfig retry, DoubleSupplier random) {
        return new Backoff(Duration.ofMillis(retry.backoffBaseMs()), Duration.ofMillis(retry.backoffCapMs()), random);
    }

    public static Backoff of(RetryConfig retry) {
        return of(retry, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The ceiling for retry {@code n} (0 for the first retry): min(cap, base·2ⁿ), without overflow. */
    public Duration ceiling(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("retry number " + n);
        }
        long ceiling = n >= 62 || baseMillis > (capMillis >> Math.min(n, 62)) ? capMillis : baseMillis << n;
        return Duration.ofMillis(Math.min(capMillis, ceiling));
    }

    /** The wait before retry {@code n} (0 for the first retry). */
    public Duration delay(int n) {
        double fraction = random.getAsDouble();
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalStateException("random source must give values in [0, 1), gave " + fraction);
        }
        return Duration.ofMillis((long) Math.floor(fraction * (ceiling(n).toMillis() + 1)));
    }
}
