package dev.switchboard.vendor;

/**
 * Where one attempt goes; per attempt.
 *
 * @param baseUrl       the platform's configured API root, without a trailing slash
 * @param upstreamModel the model name the upstream knows
 * @param token         the vendor credential chosen for this attempt; never logged
 * @param settings      the platform's vendor settings (default max tokens, API version)
 */
public record UpstreamTarget(String baseUrl, String upstreamModel, String token, VendorSettings settings) {

    public UpstreamTarget(String baseUrl, String upstreamModel, String token) {
        this(baseUrl, upstreamModel, token, VendorSettings.NONE);
    }

    @Override
    public String toString() {
        return "UpstreamTarget[baseUrl=" + baseUrl + ", upstreamModel=" + upstreamModel + ", token=<redacted>, settings="
                + settings + "]";
    }
}
