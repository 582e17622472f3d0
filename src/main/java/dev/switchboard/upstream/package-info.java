/**
 * Talking to upstreams: the HttpClient 5 wrapper and the exchange that feeds the SSE decoder; and managed mode's
 * resilience core — failure classification ({@link dev.switchboard.upstream.UpstreamFailures},
 * {@link dev.switchboard.upstream.FailureKind}), token pools with health ({@link dev.switchboard.upstream.TokenPool}),
 * backoff, the global retry budget, and the per-request {@link dev.switchboard.upstream.AttemptPlan} that the retry
 * loop follows.
 */
package dev.switchboard.upstream;
