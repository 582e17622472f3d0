package dev.switchboard.auth;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Chat2API pass-through credentials (issue #4): {@code Tokens-Authorization} carries the license and
 * {@code Authorization} the caller's own vendor token, each with or without a {@code Bearer } scheme. Stateless.
 *
 * <p>Every failure is an empty result, so the filter answers each one with the same 401 as any other credential
 * failure: nothing tells a caller whether the license or the vendor token was wrong.
 */
final class PassThroughCredentials {
    /** The header whose presence alone selects pass-through mode. */
    static final String HEADER = "Tokens-Authorization";
    /**
     * Visible ASCII only: the vendor token becomes an upstream header value, so CR, LF or other control characters
     * must never get through (RELIABILITY.md: CR/LF in anything that becomes a header). Longer than a license may be:
     * some vendor credentials are JWTs.
     */
    private static final Pattern VENDOR_TOKEN = Pattern.compile("[\\x21-\\x7e]{1,4096}");
    private static final Pattern LICENSE = Pattern.compile("[\\x21-\\x7e]{1,1024}");

    private PassThroughCredentials() {}

    /**
     * The pass-through caller, or empty when any part is missing, repeated, malformed, unknown or expired.
     *
     * @param tokensAuthorization every {@code Tokens-Authorization} value of the request
     * @param authorization       every {@code Authorization} value of the request
     */
    static Optional<Caller> identify(List<String> tokensAuthorization, List<String> authorization, Licenses licenses,
            Instant now) {
        Optional<String> license = single(tokensAuthorization).filter(LICENSE.asMatchPredicate());
        Optional<String> vendorToken = single(authorization).filter(VENDOR_TOKEN.asMatchPredicate());
        if (license.isEmpty() || vendorToken.isEmpty()) {
            return Optional.empty();
        }
        return licenses.find(license.get(), now).map(found -> Caller.passThrough(found, vendorToken.get()));
    }

    /** The credential of the only value, its optional {@code Bearer } scheme removed; empty for none or several. */
    static Optional<String> single(List<String> values) {
        if (values.size() != 1) {
            return Optional.empty();
        }
        String value = values.get(0).trim();
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("bearer")) {
            return Optional.empty(); // the scheme with no credential
        }
        if (lower.startsWith("bearer ") || lower.startsWith("bearer\t")) {
            value = value.substring(7).trim();
        }
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
