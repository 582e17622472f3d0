/**
 * Overload protection and per-caller limits, all decided before a request body is read: the global cap on requests
 * in flight ({@link dev.switchboard.limit.OverloadFilter}, 503 {@code gateway_overloaded}) and each license's or
 * app's concurrency and requests-per-minute limits ({@link dev.switchboard.limit.CallerLimitFilter}, 429
 * {@code rate_limit_exceeded}). A request's slots travel in its {@link dev.switchboard.limit.Admission} and are given
 * back exactly once, when its response has completed. Time comes from an injected nanosecond clock.
 */
package dev.switchboard.limit;
