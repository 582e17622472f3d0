package dev.switchboard.upstream;

/**
 * What went wrong with one upstream attempt before commit: the rows of the managed-mode table of RELIABILITY.md
 * ("Managed mode: what each upstream outcome does"), plus two outcomes of the gateway's own limits. Each kind says
 * what the retry loop may do next and what it means for the token that was used.
 *
 * <p>Immutable; the client error each kind ends in when all attempts fail travels in {@link Failure#clientError()}.
 */
public enum FailureKind {
    /** Connect refused, DNS failure, no route: 502 {@code upstream_connect_error}. */
    CONNECT_ERROR(Retries.POLICY, TokenEffect.COUNTS_TOWARD_EJECTION, true, false, true),
    /** No TCP/TLS connection within {@code connectMs}: 504 {@code upstream_connect_timeout}. */
    CONNECT_TIMEOUT(Retries.POLICY, TokenEffect.COUNTS_TOWARD_EJECTION, true, false, true),
    /**
     * TLS handshake failed: 502 {@code upstream_tls_error}. The endpoint is broken for every token ("no (same
     * endpoint)"), so no other token of the platform is tried; a fallback platform (another endpoint) may be.
     */
    TLS_ERROR(Retries.NONE, TokenEffect.NONE, false, false, true),
    /** Reset or EOF before the response headers: 502 {@code upstream_reset}. */
    RESET(Retries.POLICY, TokenEffect.COUNTS_TOWARD_EJECTION, true, false, true),
    /**
     * No response headers within {@code firstByteMs}: 504 {@code upstream_timeout}. No backoff: a whole first-byte
     * timeout has just been waited.
     */
    FIRST_BYTE_TIMEOUT(Retries.POLICY, TokenEffect.COUNTS_TOWARD_EJECTION, false, false, true),
    /** 429: another token at once; this one cools down for the (clamped) Retry-After. Ends in 429 + Retry-After. */
    RATE_LIMITED(Retries.POLICY, TokenEffect.COOLDOWN, false, true, true),
    /** 429 {@code insufficient_quota}, 402, billing errors: 502 {@code upstream_credentials_exhausted}. */
    QUOTA_EXHAUSTED(Retries.POLICY, TokenEffect.DISABLE, false, true, true),
    /** 401 / 403 from the vendor: 502 {@code upstream_credentials_exhausted}, never the vendor's 401. */
    CREDENTIALS_REJECTED(Retries.POLICY, TokenEffect.DISABLE, false, true, true),
    /** 500 / 502 / 503 / 504 and other 5xx: the same status class, OpenAI-shaped. */
    SERVER_ERROR(Retries.POLICY, TokenEffect.COUNTS_TOWARD_EJECTION, true, false, true),
    /** 400 / 404 / 413 / 422 and other 4xx: the caller's request is at fault, relayed and never retried. */
    CLIENT_ERROR(Retries.NONE, TokenEffect.NONE, false, false, false),
    /** 200 with HTML, non-JSON or a broken stream start: retried once, 502 {@code upstream_invalid_response}. */
    INVALID_RESPONSE(Retries.ONCE, TokenEffect.COUNTS_TOWARD_EJECTION, true, false, true),
    /**
     * 3xx, never followed: 502 {@code upstream_unexpected_redirect}. A base URL that redirects is misconfigured for
     * every token; a fallback platform may still be tried.
     */
    REDIRECT(Retries.NONE, TokenEffect.NONE, false, false, true),
    /**
     * The gateway's own connection pool had no free connection in time: 503 {@code upstream_pool_exhausted}. Not in
     * RELIABILITY.md's table; not retried, because a retry would only add load to an overloaded gateway.
     */
    POOL_EXHAUSTED(Retries.NONE, TokenEffect.NONE, false, false, false),
    /** A successful response over {@code maxResponseBytes}: 502; the same request would be as large again. */
    RESPONSE_TOO_LARGE(Retries.NONE, TokenEffect.NONE, false, false, false),
    /** The caller went away: stop at once, tell nobody, leave the token as it was. */
    CLIENT_GONE(Retries.NONE, TokenEffect.NONE, false, false, false);

    /** What an attempt that failed this way does to its token's health. */
    public enum TokenEffect {
        /** No verdict on the token (its request, the endpoint or the caller was at fault). */
        NONE,
        /** Skipped until the cooldown ({@link Failure#cooldown()}) ends; then usable again without a probe. */
        COOLDOWN,
        /** Skipped until re-validated: after {@code disabledMs} one request probes it. */
        DISABLE,
        /** One more consecutive failure; {@code ejectAfterFailures} of them eject the token until a probe. */
        COUNTS_TOWARD_EJECTION
    }

    private enum Retries { NONE, ONCE, POLICY }

    private final Retries retries;
    private final TokenEffect tokenEffect;
    private final boolean backoff;
    private final boolean blamesToken;
    private final boolean failsOver;

    FailureKind(Retries retries, TokenEffect tokenEffect, boolean backoff, boolean blamesToken, boolean failsOver) {
        this.retries = retries;
        this.tokenEffect = tokenEffect;
        this.backoff = backoff;
        this.blamesToken = blamesToken;
        this.failsOver = failsOver;
    }

    /** Whether another attempt on the same platform may follow (with another token where the pool has one). */
    public boolean retryable() {
        return retries != Retries.NONE;
    }

    /** Whether at most one retry may follow a failure of this kind within one request (invalid responses). */
    public boolean retriedOnce() {
        return retries == Retries.ONCE;
    }

    /** Whether a later platform of a router's fallback list may be tried after this failure. */
    public boolean failsOver() {
        return failsOver;
    }

    public TokenEffect tokenEffect() {
        return tokenEffect;
    }

    /**
     * Whether the next attempt on the same platform waits a full-jitter backoff first: yes for connect errors,
     * resets, 5xx and invalid responses; no for 429 (another token at once) and the token's own refusals.
     */
    public boolean backoff() {
        return backoff;
    }

    /**
     * Whether this failure is the token's own (rate limit, quota, refused credentials): the token is never tried again
     * in the same request, and moving past it is rotation, not counted against {@code maxRetries}.
     */
    public boolean blamesToken() {
        return blamesToken;
    }
}
