package dev.switchboard.config;

/**
 * Size limits that keep one request from costing unbounded memory.
 *
 * @param maxRequestBytes      largest accepted request body (checked while reading, chunked bodies too)
 * @param maxResponseBytes     largest non-streaming upstream body the gateway reads before giving up
 * @param maxStreamBufferBytes bytes a stream may hold for a client that does not read before it is cut off
 * @param maxEventBytes        longest single SSE line accepted from an upstream
 * @param maxJsonDepth         deepest JSON nesting accepted in a request
 */
public record LimitsConfig(
        Long maxRequestBytes, Long maxResponseBytes, Integer maxStreamBufferBytes, Integer maxEventBytes,
        Integer maxJsonDepth) {

    public static final LimitsConfig DEFAULTS = new LimitsConfig(null, null, null, null, null);

    public LimitsConfig {
        maxRequestBytes = maxRequestBytes == null ? 16L * 1024 * 1024 : maxRequestBytes;
        maxResponseBytes = maxResponseBytes == null ? 32L * 1024 * 1024 : maxResponseBytes;
        maxStreamBufferBytes = maxStreamBufferBytes == null ? 256 * 1024 : maxStreamBufferBytes;
        maxEventBytes = maxEventBytes == null ? 4 * 1024 * 1024 : maxEventBytes;
        maxJsonDepth = maxJsonDepth == null ? 64 : maxJsonDepth;
    }
}
