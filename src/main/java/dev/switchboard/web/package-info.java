/**
 * The servlet layer: deployment lifecycle ({@link dev.switchboard.web.GatewayListener}), the dispatch from URL prefix
 * to platform and endpoint ({@link dev.switchboard.web.GatewayServlet}), request body reading, the two ways a chat
 * completion reaches an upstream — managed mode's attempt loop ({@code ManagedCall}: retries, token rotation and
 * failover, driven by {@link dev.switchboard.upstream.AttemptPlan}) and Chat2API's single pass-through attempt
 * ({@code PassThroughAttempt}) — and error rendering, including the container's own error pages. The loop lives
 * here rather than in {@code upstream} because it needs the platforms of {@code route}, which already depends on
 * {@code upstream} for its token pools.
 */
package dev.switchboard.web;
