package dev.switchboard.usage;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Per-request: what the access log line will say. Filled in by the filters, the servlet and the upstream exchange,
 * on whichever thread learns a fact, and read once when the request completes; fields are volatile for that hand-off.
 * Holds no secret by construction: there is no field a credential could go in.
 */
public final class AccessRecord {
    public static final String ATTRIBUTE = AccessRecord.class.getName();
    private static final HexFormat HEX = HexFormat.of();

    private final String requestId = newRequestId();
    private final long startNanos = System.nanoTime();
    private volatile String caller = "-";
    private volatile String mode = "-";
    private volatile String platform = "-";
    private volatile String model = "-";
    private volatile int upstreamStatus;
    private volatile long firstByteNanos;
    private volatile long promptTokens = -1;
    private volatile long completionTokens = -1;
    private volatile String errorCode = "-";
    private volatile int attempts;
    private volatile String upstream = "-";
    private volatile boolean async;

    /**
     * {@code req_} and 32 hex digits (the shape {@code UUID.randomUUID()} without dashes gave). The id only correlates
     * a response with its log line, it guards nothing, so it comes from {@link ThreadLocalRandom}: {@code randomUUID}
     * draws from the JDK's shared SecureRandom, whose lock the request threads contended for (JFR, BENCHMARKS.md).
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "req_" + HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    public void caller(String name, String mode) {
        this.caller = name;
        this.mode = mode;
    }

    public void platform(String platform) {
        this.platform = platform;
    }

    public void model(String model) {
        this.model = model;
    }

    public void upstreamStatus(int status) {
        this.upstreamStatus = status;
    }

    /** The first byte of the response left for the client; only the first call counts. */
    public void firstByte() {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
    }

    public void usage(long prompt, long completion) {
        this.promptTokens = prompt;
        this.completionTokens = completion;
    }

    /** Managed mode: the attempt now running, and the token alias ({@code <platform>#<n>}) it uses; never a token. */
    public void attempt(int number, String tokenAlias) {
        this.attempts = number;
        this.upstream = tokenAlias;
    }

    public void errorCode(String code) {
        this.errorCode = code;
    }

    /** The request went asynchronous: it is logged when it completes, not when the filter chain returns. */
    public void markAsync() {
        this.async = true;
    }

    public boolean isAsync() {
        return async;
    }

    public boolean hasUsage() {
        return promptTokens >= 0;
    }

    String caller() {
        return caller;
    }

    String mode() {
        return mode;
    }

    String platform() {
        return platform;
    }

    String model() {
        return model;
    }

    int upstreamStatus() {
        return upstreamStatus;
    }

    long firstByteNanos() {
        return firstByteNanos;
    }

    long promptTokens() {
        return promptTokens;
    }

    long completionTokens() {
        return completionTokens;
    }

    String errorCode() {
        return errorCode;
    }

    int attempts() {
        return attempts;
    }

    String upstream() {
        return upstream;
    }
}
