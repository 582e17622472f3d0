package dev.switchboard.config;

/**
 * Limits that keep one request, one caller or one source address from costing unbounded memory or crowding out the
 * rest.
 *
 * @param maxRequestBytes         largest accepted request body (checked while reading, chunked bodies too)
 * @param maxResponseBytes        largest non-streaming upstream body the gateway reads before giving up
 * @param maxStreamBufferBytes    bytes a stream may hold for a client that does not read before it is cut off
 * @param maxEventBytes           longest single SSE line accepted from an upstream
 * @param maxJsonDepth            deepest JSON nesting accepted in a request
 * @param maxInFlight             API requests in flight at once, all callers together, before new ones get 503
 * @param callerMaxConcurrent     default for a license's or app's {@code limits.maxConcurrent}
 * @param callerRequestsPerMinute default for a license's or app's {@code limits.requestsPerMinute}
 * @param maxAuthFailures         credential failures one source address may have per window before it is refused
 * @param authFailureWindowMs     the window of {@code maxAuthFailures}, from that address's first failure in it
 * @param maxTrackedAddresses     source addresses whose failures are remembered; the oldest is forgotten first
 */
public record LimitsConfig(
        Long maxRequestBytes, Long maxResponseBytes, Integer maxStreamBufferBytes, Integer maxEventBytes,
        Integer maxJsonDepth, Integer maxInFlight, Integer callerMaxConcurrent, Integer callerRequestsPerMinute,
        Integer maxAuthFailures, Long authFailureWindowMs, Integer maxTrackedAddresses) {

    public static final LimitsConfig DEFAULTS =
            new LimitsConfig(null, null, null, null, null, null, null, null, null, null, null);

    public LimitsConfig {
        maxRequestBytes = maxRequestBytes == null ? 16L * 1024 * 1024 : maxRequestBytes;
        maxResponseBytes = maxResponseBytes == null ? 32L * 1024 * 1024 : maxResponseBytes;
        maxStreamBufferBytes = maxStreamBufferBytes == null ? 256 * 1024 : maxStreamBufferBytes;
        maxEventBytes = maxEventBytes == null ? 4 * 1024 * 1024 : maxEventBytes;
        maxJsonDepth = maxJsonDepth == null ? 64 : maxJsonDepth;
        // Above the ~9,000 streams one process can hold over HTTP/1.1 (TOOLCHAIN.md: 20,000 open files, two sockets
        // per stream), so the cap sheds load before the process runs out of file descriptors, not instead of serving.
        maxInFlight = maxInFlight == null ? 10_000 : maxInFlight;
        // A tenth of the gateway per caller: one runaway batch job cannot take every slot.
        callerMaxConcurrent = callerMaxConcurrent == null ? 1_000 : callerMaxConcurrent;
        callerRequestsPerMinute = callerRequestsPerMinute == null ? 6_000 : callerRequestsPerMinute;
        maxAuthFailures = maxAuthFailures == null ? 20 : maxAuthFailures;
        authFailureWindowMs = authFailureWindowMs == null ? 60_000L : authFailureWindowMs;
        maxTrackedAddresses = maxTrackedAddresses == null ? 10_000 : maxTrackedAddresses;
    }
}
