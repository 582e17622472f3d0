package dev.switchboard.auth;

import dev.switchboard.config.LicenseConfig;

/**
 * Per-request: who is calling, as established by an authentication filter, stored as a request attribute.
 *
 * @param name    for logs; never a credential
 * @param mode    how they authenticated: {@code license} (more modes come with pass-through and app credentials)
 * @param license what they may use
 */
public record Caller(String name, String mode, LicenseConfig license) {
    public static final String ATTRIBUTE = Caller.class.getName();

    public boolean mayUsePlatform(String platform) {
        return license.allowsPlatform(platform);
    }
}
