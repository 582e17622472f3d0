package dev.switchboard.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that never steps: the wall time at start plus {@link System#nanoTime()} elapsed since. Cooldowns,
 * ejections and deadlines measured with it survive NTP steps and manual clock changes; its drift from wall time (NTP
 * slewing) is far below the one-second precision of the HTTP-dates it is compared with. Immutable, thread-safe.
 */
public final class MonotonicClock extends Clock {
    private static final MonotonicClock SYSTEM = new MonotonicClock();

    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();

    private MonotonicClock() {}

    /** The one instance the application shares. */
    public static MonotonicClock system() {
        return SYSTEM;
    }

    @Override
    public Instant instant() {
        return start.plus(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    @Override
    public long millis() {
        return instant().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** Unsupported: the gateway measures durations, never local times. */
    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("MonotonicClock is UTC only");
    }
}
