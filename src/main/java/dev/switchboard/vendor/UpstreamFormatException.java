package dev.switchboard.vendor;

/**
 * The upstream answered with something that is not its documented format (HTML on 200, broken JSON, a stream that
 * stopped early). Reported to the caller as a 502 before commit, or as an in-band error after it.
 */
public final class UpstreamFormatException extends Exception {
    public static final String INVALID_RESPONSE = "upstream_invalid_response";
    public static final String TRUNCATED = "upstream_stream_truncated";

    private final String code;

    public UpstreamFormatException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
