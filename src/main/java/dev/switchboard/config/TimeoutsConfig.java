package dev.switchboard.config;

/**
 * Per-platform timeouts in milliseconds; defaults follow RELIABILITY.md ("Timeouts").
 *
 * @param connectMs   TCP (and TLS) connect to the upstream
 * @param firstByteMs from sending the request to the upstream's response headers
 * @param idleMs      longest silence from the upstream while a response is being read
 * @param heartbeatMs how often a silent stream sends the client an SSE comment, so clients that left are noticed
 * @param maxStreamMs longest a single stream may last
 */
public record TimeoutsConfig(Long connectMs, Long firstByteMs, Long idleMs, Long heartbeatMs, Long maxStreamMs) {

    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(null, null, null, null, null);

    public TimeoutsConfig {
        connectMs = connectMs == null ? 5_000L : connectMs;
        firstByteMs = firstByteMs == null ? 60_000L : firstByteMs;
        idleMs = idleMs == null ? 300_000L : idleMs;
        heartbeatMs = heartbeatMs == null ? 15_000L : heartbeatMs;
        maxStreamMs = maxStreamMs == null ? 1_800_000L : maxStreamMs;
    }
}
