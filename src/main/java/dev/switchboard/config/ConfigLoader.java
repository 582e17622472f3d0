package dev.switchboard.config;

import jakarta.json.Json;
import jakarta.json.JsonConfig;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the JSON configuration file into a validated {@link GatewayConfig}, or fails with a {@link ConfigException}
 * whose message names the file, the field path and what is wrong. Steps: parse into a JSON-P tree, check and
 * substitute it ({@link ConfigTree}), bind it with JSON-B, validate and normalise it ({@link ConfigValidator}).
 *
 * <p>No message and no exception cause ever carries a token or an environment value: operators paste these
 * messages into tickets.
 */
public final class ConfigLoader {

    /** The environment variable naming the configuration file; wins over {@link #PROPERTY}. */
    public static final String ENV_VAR = "SWITCHBOARD_CONFIG";

    /** The system property naming the configuration file when {@link #ENV_VAR} is unset. */
    public static final String PROPERTY = "switchboard.config";

    /** Duplicate keys are rejected: with JSON-P's default the last one silently wins, hiding a copy-paste error. */
    private static final JsonReaderFactory READERS =
            Json.createReaderFactory(Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));

    /** Parsson repeats the location inside its message; the loader states it once, in words. */
    private static final Pattern PARSSON_LOCATION = Pattern.compile("\\s*(at\\s*)?\\(line no=[^)]*\\)");

    /** Yasson's binding errors name the property they failed in, nested once per level. */
    private static final Pattern YASSON_PROPERTY = Pattern.compile("Unable to deserialize property '([^']+)'");

    private ConfigLoader() {}

    /**
     * Reads, substitutes {@code ${NAME}} from {@code environment} (which returns {@code null} when a variable is unset),
     * binds with JSON-B (Yasson) and validates.
     *
     * @throws ConfigException when the file cannot be read, is not JSON, or any field is unknown, mistyped or invalid;
     *                         the message lists every problem found, one per line
     */
    public static GatewayConfig load(Path file, UnaryOperator<String> environment) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(environment, "environment");
        JsonValue parsed = parse(file, read(file));
        List<String> problems = new ArrayList<>();
        JsonValue resolved = ConfigTree.resolve(parsed, GatewayConfig.class, environment, problems);
        failIfAny(file, problems);
        GatewayConfig bound = inFileOrder(bind(file, resolved), resolved.asJsonObject());
        GatewayConfig validated = ConfigValidator.validate(bound, problems);
        failIfAny(file, problems);
        return validated;
    }

    /**
     * Which file to load: the environment variable {@value #ENV_VAR} wins, then the system property
     * {@value #PROPERTY}; a blank value counts as unset. The file is not opened here.
     *
     * @throws ConfigException when neither is set, saying how to set one, or when the value is not a valid path
     */
    public static Path locate(UnaryOperator<String> environment, UnaryOperator<String> systemProperties) {
        String fromEnvironment = environment.apply(ENV_VAR);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return path(fromEnvironment, "environment variable " + ENV_VAR);
        }
        String fromProperty = systemProperties.apply(PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return path(fromProperty, "system property " + PROPERTY);
        }
        throw new ConfigException("no configuration file: set the environment variable " + ENV_VAR
                + " or the system property " + PROPERTY + " (e.g. -D" + PROPERTY + "=/etc/switchboard/switchboard.json)"
                + " to the path of the JSON configuration file");
    }

    private static Path path(String value, String source) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(source + " is not a valid file path"); // the value itself may be anything
        }
    }

    private static String read(Path file) {
        try {
            String text = Files.readString(file);
            // Editors on Windows may save a byte order mark, which JSON (RFC 8259, section 8.1) does not allow.
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw new ConfigException(prefix(file) + "file not found", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(prefix(file) + "permission denied", e);
        } catch (MalformedInputException e) {
            throw new ConfigException(prefix(file) + "not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(prefix(file) + "cannot read: " + e, e);
        }
    }

    private static JsonValue parse(Path file, String text) {
        if (text.isBlank()) {
            throw new ConfigException(prefix(file) + "the file is empty; it must hold one JSON object");
        }
        try {
            JsonValue value;
            try (var reader = READERS.createReader(new StringReader(text))) {
                value = reader.readValue();
            }
            requireNothingAfter(text);
            return value;
        } catch (JsonParsingException e) {
            JsonLocation at = e.getLocation();
            String detail = PARSSON_LOCATION.matcher(String.valueOf(e.getMessage())).replaceAll("");
            throw new ConfigException(prefix(file) + "invalid JSON at line " + at.getLineNumber() + ", column "
                    + at.getColumnNumber() + ": " + detail, e);
        } catch (JsonException e) {
            throw new ConfigException(prefix(file) + "invalid JSON: " + e.getMessage(), e);
        }
    }

    /** JSON-P's reader stops after the first value and ignores the rest, so a stray second value would go unseen. */
    private static void requireNothingAfter(String text) {
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            JsonParser.Event first = parser.next();
            if (first == JsonParser.Event.START_OBJECT) {
                parser.skipObject();
            } else if (first == JsonParser.Event.START_ARRAY) {
                parser.skipArray();
            }
            parser.hasNext(); // throws JsonParsingException, with the location, when anything but whitespace follows
        }
    }

    /**
     * Binds the checked tree. {@link ConfigTree} has already rejected every mistyped value, so a failure here is a gap
     * in that check; it is still reported as a {@link ConfigException}. Yasson's message and cause are left out on
     * purpose: they quote the offending value (e.g. {@code For input string: "..."}), which may be a token.
     */
    static GatewayConfig bind(Path file, JsonValue resolved) {
        Jsonb jsonb = JsonbBuilder.create();
        try {
            return jsonb.fromJson(resolved.toString(), GatewayConfig.class);
        } catch (RuntimeException e) {
            String field = e instanceof JsonbException ? boundField(e) : "";
            throw new ConfigException(prefix(file) + (field.isEmpty() ? "" : field + ": ")
                    + "cannot bind this value to its Java type (" + e.getClass().getSimpleName() + ")");
        } finally {
            close(jsonb);
        }
    }

    /** {@code Jsonb.close()} is declared to throw Exception; Yasson's only clears its caches, so nothing is lost. */
    private static void close(Jsonb jsonb) {
        try {
            jsonb.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the configuration is already bound; a cache that failed to clear does not change it
        }
    }

    /** The dotted property path Yasson's nested messages name, e.g. {@code limits.maxRequestBytes}; no list indexes. */
    private static String boundField(Throwable failure) {
        StringBuilder field = new StringBuilder();
        String message = String.valueOf(failure.getMessage());
        Matcher property = YASSON_PROPERTY.matcher(message);
        while (property.find()) {
            field.append(field.length() == 0 ? "" : ".").append(property.group(1));
        }
        return field.toString();
    }

    /**
     * Yasson binds a {@code Map} property to a {@code HashMap}, losing the file's order that
     * {@link GatewayConfig#platforms()} promises; the checked tree still has it (JSON-P builders keep insertion order).
     */
    private static GatewayConfig inFileOrder(GatewayConfig bound, JsonObject tree) {
        JsonObject platformTree = tree.getOrDefault("platforms", JsonValue.EMPTY_JSON_OBJECT) instanceof JsonObject o
                ? o : JsonValue.EMPTY_JSON_OBJECT;
        Map<String, PlatformConfig> platforms = new LinkedHashMap<>();
        platformTree.forEach((key, platformValue) ->
                platforms.put(key, modelsInFileOrder(bound.platforms().get(key), platformValue.asJsonObject())));
        return new GatewayConfig(bound.licenses(), bound.apps(), platforms, bound.limits(), bound.upstream(),
                bound.routers());
    }

    private static PlatformConfig modelsInFileOrder(PlatformConfig platform, JsonObject platformTree) {
        if (platform.models() == null || !(platformTree.get("models") instanceof JsonObject modelTree)) {
            return platform;
        }
        Map<String, String> models = new LinkedHashMap<>();
        modelTree.keySet().forEach(name -> models.put(name, platform.models().get(name)));
        return new PlatformConfig(platform.type(), platform.baseUrl(), platform.tokens(), models, platform.timeouts(),
                platform.mock(), platform.defaultMaxTokens(), platform.apiVersion(), platform.retry(),
                platform.http2());
    }

    private static void failIfAny(Path file, List<String> problems) {
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder();
            for (String problem : problems) {
                message.append(message.length() == 0 ? "" : "\n").append(prefix(file)).append(problem);
            }
            throw new ConfigException(message.toString());
        }
    }

    private static String prefix(Path file) {
        return "config " + file.toAbsolutePath() + ": ";
    }
}
