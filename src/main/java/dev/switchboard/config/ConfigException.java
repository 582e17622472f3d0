package dev.switchboard.config;

/** The configuration cannot be used; the message names the file, the field and what is wrong. Fails deployment. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
