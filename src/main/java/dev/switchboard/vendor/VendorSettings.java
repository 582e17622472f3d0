package dev.switchboard.vendor;

/**
 * Per-platform settings a vendor reads when building requests; application-scoped, immutable.
 *
 * @param defaultMaxTokens output token limit when the caller sets none; {@code null}: the vendor's default
 * @param apiVersion       the vendor API version to ask for; {@code null}: the vendor package's tested default
 */
public record VendorSettings(Integer defaultMaxTokens, String apiVersion) {
    public static final VendorSettings NONE = new VendorSettings(null, null);
}
