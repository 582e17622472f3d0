package dev.switchboard.config;

/**
 * The shared upstream HTTP client.
 *
 * @param maxConnections pooled connections in total and per upstream host (a stream holds one for its whole life)
 * @param ioThreads      HttpClient I/O reactor threads; 0 means one per core
 */
public record UpstreamConfig(Integer maxConnections, Integer ioThreads) {

    public static final UpstreamConfig DEFAULTS = new UpstreamConfig(null, null);

    public UpstreamConfig {
        maxConnections = maxConnections == null ? 10_000 : maxConnections;
        ioThreads = ioThreads == null ? 0 : ioThreads;
    }
}
