package dev.switchboard.config;

/**
 * Settings of the local {@code mock} platform type.
 *
 * @param delayMs pause between streamed words, so a demo shows streaming
 */
public record MockConfig(Long delayMs) {

    public static final MockConfig DEFAULTS = new MockConfig(null);

    public MockConfig {
        delayMs = delayMs == null ? 30L : delayMs;
    }
}
