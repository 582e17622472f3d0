package dev.switchboard.config;

import jakarta.json.Json;
import java.util.regex.Pattern;

/** Builds the field paths that configuration problems are reported at, e.g. {@code platforms.openai.tokens[0]}. */
final class ConfigPath {

    /** Keys outside this set are shown quoted, so a platform key like {@code api.v2} does not read as two levels. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private ConfigPath() {}

    /** The path of an object member; the top level is the empty path. */
    static String key(String parent, String key) {
        if (!PLAIN_KEY.matcher(key).matches()) {
            return parent + "[" + Json.createValue(key) + "]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** One problem line: {@code <path>: <what is wrong>}. */
    static String problem(String path, String message) {
        return (path.isEmpty() ? "top level" : path) + ": " + message;
    }
}
