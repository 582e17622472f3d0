package dev.switchboard.config;

/**
 * Managed-mode retry, failover and token-health settings of one platform; defaults follow RELIABILITY.md ("Managed
 * mode" and its "Bounds" paragraph). Durations in milliseconds.
 *
 * @param maxRetries         attempts after the first for failures that are not a token's own fault (connect,
 *                           reset, timeout, 5xx, invalid response); rotation past rate-limited, disabled or
 *                           quota-exhausted tokens is not counted (it is bounded by the pool size and the deadline)
 * @param backoffBaseMs      full-jitter backoff base: retry n waits a random time in [0, min(cap, base·2ⁿ)]
 * @param backoffCapMs       full-jitter backoff cap
 * @param deadlineMs         the whole pre-commit phase of a request, every attempt, wait and backoff included
 * @param cooldownMinMs      shortest cooldown a 429 puts on a token (a smaller Retry-After is raised to it)
 * @param cooldownMaxMs      longest cooldown a 429 puts on a token (a larger Retry-After is lowered to it)
 * @param cooldownDefaultMs  cooldown after a 429 that says nothing about when to retry
 * @param ejectAfterFailures consecutive failures (connect, reset, timeout, 5xx, invalid response) that eject a token
 * @param ejectMs            how long a first ejection lasts before one probe request may re-admit the token
 * @param ejectMaxMs         ejections double on every failed probe, up to this
 * @param disabledMs         how long a token refused by the vendor (401, 403, 402, quota) waits before one
 *                           request re-validates it
 */
public record RetryConfig(
        Integer maxRetries,
        Long backoffBaseMs,
        Long backoffCapMs,
        Long deadlineMs,
        Long cooldownMinMs,
        Long cooldownMaxMs,
        Long cooldownDefaultMs,
        Integer ejectAfterFailures,
        Long ejectMs,
        Long ejectMaxMs,
        Long disabledMs) {

    public static final RetryConfig DEFAULTS = new RetryConfig(null, null, null, null, null, null, null, null, null,
            null, null);

    public RetryConfig {
        maxRetries = maxRetries == null ? 2 : maxRetries;
        backoffBaseMs = backoffBaseMs == null ? 200L : backoffBaseMs;
        backoffCapMs = backoffCapMs == null ? 5_000L : backoffCapMs;
        // Above firstByteMs (60 s) so one slow attempt still leaves room for a retry.
        deadlineMs = deadlineMs == null ? 90_000L : deadlineMs;
        cooldownMinMs = cooldownMinMs == null ? 1_000L : cooldownMinMs;
        cooldownMaxMs = cooldownMaxMs == null ? 60_000L : cooldownMaxMs;
        cooldownDefaultMs = cooldownDefaultMs == null ? 5_000L : cooldownDefaultMs;
        ejectAfterFailures = ejectAfterFailures == null ? 3 : ejectAfterFailures;
        // Envoy's outlier detection: base ejection time 30 s, max 300 s.
        ejectMs = ejectMs == null ? 30_000L : ejectMs;
        ejectMaxMs = ejectMaxMs == null ? 300_000L : ejectMaxMs;
        disabledMs = disabledMs == null ? 600_000L : disabledMs;
    }
}
