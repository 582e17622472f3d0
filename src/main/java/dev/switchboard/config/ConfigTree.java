package dev.switchboard.config;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One pass over the parsed configuration file, guided by the record types it will be bound to: substitutes
 * {@code ${NAME}} in every string value, rejects unknown fields and values of the wrong JSON type, and returns the
 * tree that JSON-B then binds. Checking here rather than relying on JSON-B gives every problem its field path
 * (Yasson names only the property, not the list index or map key) and reports all of them in one run.
 *
 * <p>Problems never quote a string value: tokens live in string values, whether written in the file or substituted.
 * Object keys are not substituted; they are names, not secrets.
 */
final class ConfigTree {

    /** {@code ${NAME}} with NAME spelled like a POSIX shell variable (IEEE Std 1003.1, section 8.1). */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final JsonProvider JSON = JsonProvider.provider();

    private final UnaryOperator<String> environment;
    private final List<String> problems;

    private ConfigTree(UnaryOperator<String> environment, List<String> problems) {
        this.environment = environment;
        this.problems = problems;
    }

    /**
     * Returns {@code root} with variables substituted and numbers and instants in canonical form, adding one line per
     * problem to {@code problems}. The result is fit for binding only when no problem was added.
     */
    static JsonValue resolve(JsonValue root, Class<?> type, UnaryOperator<String> environment, List<String> problems) {
        return new ConfigTree(environment, problems).walk(root, type, "");
    }

    private JsonValue walk(JsonValue value, Type type, String path) {
        if (type instanceof Class<?> recordType && recordType.isRecord()) {
            return record(value, recordType, path);
        }
        if (type instanceof ParameterizedType generic) {
            Type raw = generic.getRawType();
            Type[] arguments = generic.getActualTypeArguments();
            if (raw == List.class) {
                return list(value, arguments[0], path);
            }
            if (raw == Map.class && arguments[0] == String.class) {
                return map(value, arguments[1], path);
            }
        }
        if (type == String.class) {
            String text = string(value, path);
            return text == null ? value : JSON.createValue(text);
        }
        if (type == Long.class) {
            return integer(value, Long.MIN_VALUE, Long.MAX_VALUE, path);
        }
        if (type == Integer.class) {
            return integer(value, Integer.MIN_VALUE, Integer.MAX_VALUE, path);
        }
        if (type == Boolean.class) {
            return value == JsonValue.TRUE || value == JsonValue.FALSE ? value : mismatch(value, "true or false", path);
        }
        if (type == Instant.class) {
            return instant(value, path);
        }
        // A record component of a new type needs a case above; binding it unchecked would lose the field path.
        throw new IllegalStateException("ConfigTree cannot check " + type.getTypeName() + " at " + path);
    }

    private JsonValue record(JsonValue value, Class<?> type, String path) {
        if (!(value instanceof JsonObject object)) {
            return mismatch(value, "an object", path);
        }
        Map<String, RecordComponent> components = new LinkedHashMap<>();
        for (RecordComponent component : type.getRecordComponents()) {
            components.put(component.getName(), component);
        }
        JsonObjectBuilder resolved = JSON.createObjectBuilder();
        object.forEach((name, field) -> {
            String fieldPath = ConfigPath.key(path, name);
            RecordComponent component = components.get(name);
            if (component == null) {
                problem(fieldPath, "unknown field (known: " + String.join(", ", components.keySet()) + ")");
            } else if (field == JsonValue.NULL) {
                resolved.add(name, field); // null is how the file says "absent": the record applies its default
            } else {
                resolved.add(name, walk(field, component.getGenericType(), fieldPath));
            }
        });
        return resolved.build();
    }

    private JsonValue map(JsonValue value, Type valueType, String path) {
        if (!(value instanceof JsonObject object)) {
            return mismatch(value, "an object", path);
        }
        JsonObjectBuilder resolved = JSON.createObjectBuilder();
        object.forEach((key, entry) -> resolved.add(key, walk(entry, valueType, ConfigPath.key(path, key))));
        return resolved.build();
    }

    private JsonValue list(JsonValue value, Type elementType, String path) {
        if (!(value instanceof JsonArray array)) {
            return mismatch(value, "an array", path);
        }
        JsonArrayBuilder resolved = JSON.createArrayBuilder();
        for (int i = 0; i < array.size(); i++) {
            resolved.add(walk(array.get(i), elementType, ConfigPath.index(path, i)));
        }
        return resolved.build();
    }

    private JsonValue integer(JsonValue value, long min, long max, String path) {
        if (!(value instanceof JsonNumber number)) {
            return mismatch(value, "an integer", path);
        }
        BigDecimal exact = number.bigDecimalValue().stripTrailingZeros();
        if (exact.scale() > 0) {
            return mismatch(value, "an integer", path);
        }
        if (exact.compareTo(BigDecimal.valueOf(min)) < 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            problem(path, "out of range (" + min + " to " + max + ")");
            return value;
        }
        // Canonical form: Yasson would truncate 1.5 and may not read 1e3 as a Long.
        return JSON.createValue(exact.longValueExact());
    }

    private JsonValue instant(JsonValue value, String path) {
        String text = string(value, path);
        if (text == null) {
            return value;
        }
        try {
            // The same ISO_INSTANT form Yasson reads; re-serialised so binding cannot disagree with this check.
            return JSON.createValue(Instant.parse(text).toString());
        } catch (DateTimeParseException e) {
            problem(path, "expected an ISO-8601 instant such as 2027-06-30T00:00:00Z");
            return value;
        }
    }

    /** The substituted string, or {@code null} after adding a problem. */
    private String string(JsonValue value, String path) {
        if (!(value instanceof JsonString string)) {
            mismatch(value, "a string", path);
            return null;
        }
        return substitute(string.getString(), path);
    }

    /** Replaces every {@code ${NAME}}; substituted text is not scanned again, so a value may contain "${". */
    private String substitute(String text, String path) {
        int start = text.indexOf("${");
        if (start < 0) {
            return text;
        }
        StringBuilder substituted = new StringBuilder(text.length());
        int copied = 0;
        boolean complete = true;
        for (; start >= 0; start = text.indexOf("${", copied)) {
            int end = text.indexOf('}', start + 2);
            String name = end < 0 ? "" : text.substring(start + 2, end);
            if (!VARIABLE_NAME.matcher(name).matches()) {
                // The text around it may be a literal token, so the reference is not quoted.
                problem(path, "malformed variable reference; write ${NAME} with NAME of letters, digits and _");
                return null;
            }
            String variable = environment.apply(name);
            if (variable == null) {
                problem(path, "environment variable " + name + " is not set");
                complete = false;
            } else {
                substituted.append(text, copied, start).append(variable);
            }
            copied = end + 1;
        }
        return complete ? substituted.append(text, copied, text.length()).toString() : null;
    }

    private JsonValue mismatch(JsonValue value, String expected, String path) {
        problem(path, "expected " + expected + ", got " + describe(value));
        return value;
    }

    private static String describe(JsonValue value) {
        return switch (value.getValueType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> value instanceof JsonNumber number && number.bigDecimalValue().stripTrailingZeros().scale() > 0
                    ? "a fractional number" : "a number";
            case TRUE, FALSE -> "a boolean";
            case NULL -> "null";
        };
    }

    private void problem(String path, String message) {
        problems.add(ConfigPath.problem(path, message));
    }
}
