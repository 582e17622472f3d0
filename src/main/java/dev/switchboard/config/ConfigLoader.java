package dev.switchboard.config;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Placeholder: replaced by the real loader. */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static GatewayConfig load(Path file, UnaryOperator<String> environment) {
        throw new ConfigException("not implemented");
    }
}
