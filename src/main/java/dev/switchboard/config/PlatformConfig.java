package dev.switchboard.config;

import java.util.List;
import java.util.Map;

/**
 * One upstream platform, reached under the URL prefix that is its key in {@link GatewayConfig#platforms()}.
 *
 * @param type     the vendor protocol: {@code openai}, {@code mock} (more types come with native vendors)
 * @param baseUrl  the vendor API root including its version path, e.g. {@code https://api.openai.com/v1}; for
 *                 {@code azure-openai} the resource root without a path, {@code https://NAME.openai.azure.com}
 * @param tokens   the managed vendor token pool; used round-robin
 * @param models   public model name to upstream model name (the deployment name for {@code azure-openai}); {@code null} means any model passes unchanged
 * @param timeouts         per-platform timeouts
 * @param mock             settings of the local {@code mock} type
 * @param defaultMaxTokens output token limit sent when the caller sets none, for vendors that require one
 *                         (Anthropic); {@code null} means the vendor's own default
 * @param apiVersion       the vendor API version where the vendor versions its API by parameter (Azure
 *                         {@code api-version}, Anthropic {@code anthropic-version}); {@code null} means the vendor
 *                         package's tested default
 * @param retry            managed-mode retries, failover, backoff, cooldowns and token ejection
 * @param http2            {@code true}: requests go over HTTP/2, many streams multiplexed on one connection (ALPN
 *                         {@code h2} for {@code https}, h2c with prior knowledge for {@code http}); {@code null} or
 *                         {@code false}: HTTP/1.1, one connection per exchange
 */
public record PlatformConfig(
        String type,
        String baseUrl,
        List<String> tokens,
        Map<String, String> models,
        TimeoutsConfig timeouts,
        MockConfig mock,
        Integer defaultMaxTokens,
        String apiVersion,
        RetryConfig retry,
        Boolean http2) {

    public PlatformConfig {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        models = models == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        timeouts = timeouts == null ? TimeoutsConfig.DEFAULTS : timeouts;
        mock = mock == null ? MockConfig.DEFAULTS : mock;
        retry = retry == null ? RetryConfig.DEFAULTS : retry;
        http2 = http2 != null && http2;
    }

    /** What the vendor needs from this platform's configuration besides URL and token. */
    public dev.switchboard.vendor.VendorSettings vendorSettings() {
        return new dev.switchboard.vendor.VendorSettings(defaultMaxTokens, apiVersion);
    }
}
