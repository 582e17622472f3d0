package dev.switchboard.config;

/**
 * One license's or app's own limits; a field left out takes the top-level default ({@code limits.callerMaxConcurrent},
 * {@code limits.callerRequestsPerMinute}).
 *
 * @param maxConcurrent     requests this caller may have in flight at once; {@code null} means the default
 * @param requestsPerMinute requests this caller may start per minute (a bucket of this size refilling evenly over a
 *                          minute, so a quiet caller may burst up to it); {@code null} means the default
 */
public record CallerLimitsConfig(Integer maxConcurrent, Integer requestsPerMinute) {

    public static final CallerLimitsConfig DEFAULTS = new CallerLimitsConfig(null, null);

    /** These limits with every absent field taken from {@code limits}. */
    public CallerLimitsConfig orDefaults(LimitsConfig limits) {
        return new CallerLimitsConfig(maxConcurrent == null ? limits.callerMaxConcurrent() : maxConcurrent,
                requestsPerMinute == null ? limits.callerRequestsPerMinute() : requestsPerMinute);
    }
}
