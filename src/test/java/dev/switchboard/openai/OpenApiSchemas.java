package dev.switchboard.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.PathType;
import com.networknt.schema.resource.InputStreamSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Validates JSON produced by the gateway against {@code components.schemas} of the official OpenAI OpenAPI
 * document (OpenAPI 3.1.0, kept verbatim at {@value #SPEC_RESOURCE} on the test classpath).
 *
 * <pre>{@code
 * OpenApiSchemas.assertValid("CreateChatCompletionResponse", body);
 * List<String> problems = OpenApiSchemas.validate("CreateChatCompletionStreamResponse", chunkJson);
 * }</pre>
 *
 * <p>Schema names are the keys of {@code components.schemas} ({@code CreateChatCompletionResponse},
 * {@code CreateChatCompletionStreamResponse}, {@code ListModelsResponse}, {@code ErrorResponse}, ...); every
 * {@code $ref} to {@code #/components/schemas/...} resolves inside the one loaded document.
 *
 * <p>How the spec is read:
 * <ul>
 *   <li>As JSON Schema draft 2020-12, the dialect OpenAPI 3.1 schema objects are written in. Keywords that draft
 *       does not define ({@code discriminator}, {@code example}, {@code x-oaiMeta}, {@code x-stainless-*},
 *       {@code deprecated} ...) are annotations: they never fail validation. {@code format} is an annotation too
 *       (draft 2020-12 default), so the spec's own formats such as {@code unixtime} are not asserted.</li>
 *   <li>The document is 3.1 but still carries about a hundred OpenAPI 3.0 {@code nullable: true} flags (for
 *       example on a stream chunk's {@code choices[].finish_reason}, {@code choices[].logprobs} and
 *       {@code usage}). Draft 2020-12 has no such keyword, so read literally those fields could never be
 *       {@code null}, which is what OpenAI itself sends. Each {@code nullable: true} is therefore rewritten into
 *       its 3.1 equivalent before validation: {@code null} joins {@code type} (and {@code enum}), or, where the
 *       schema is a {@code $ref} or a composition, the schema becomes {@code anyOf: [schema, {type: "null"}]}.
 *       {@code nullable: false} is dropped. Nothing else in the spec is changed: required fields stay
 *       required.</li>
 * </ul>
 *
 * <p>The spec is parsed once per JVM, on first use (about 1 to 2 seconds; each named schema then takes a few hundred
 * milliseconds at most on its own first use, and a validation well under a millisecond). The class is thread-safe:
 * any number of threads may validate at once.
 */
public final class OpenApiSchemas {
    /** Classpath location of the verbatim OpenAI spec. */
    public static final String SPEC_RESOURCE = "/openapi/openai-openapi.yaml";

    /** Made-up, never fetched: the registry maps it to the loaded spec and allows nothing else. */
    private static final String SPEC_IRI = "https://switchboard.test/openai-openapi.json";

    /** Room above SnakeYAML's 3 MiB default: the 2.9 MB spec is only ~5% below it and grows with every release. */
    private static final int YAML_CODE_POINT_LIMIT = 64 * 1024 * 1024;

    private OpenApiSchemas() {
    }

    /**
     * Validates {@code json} against {@code components.schemas.<schemaName>}.
     *
     * @return one human-readable line per violation, such as {@code $.choices[0].finish_reason: does not have a
     *         value in the enumeration [...]}; empty when {@code json} is valid
     * @throws IllegalArgumentException if the spec has no such schema or {@code json} is not JSON
     */
    public static List<String> validate(String schemaName, String json) {
        JsonNode instance;
        try {
            instance = Spec.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage() + "\n" + json, e);
        }
        if (instance == null) {
            throw new IllegalArgumentException("not JSON: empty input");
        }
        return validate(schemaName, instance);
    }

    /** As {@link #validate(String, String)}, for an already parsed document. */
    public static List<String> validate(String schemaName, JsonNode json) {
        List<Error> errors = Spec.INSTANCE.schema(schemaName).validate(json);
        List<String> violations = new ArrayList<>(errors.size());
        for (Error error : errors) {
            violations.add(error.toString());
        }
        return violations;
    }

    /**
     * Fails unless {@code json} is valid against {@code components.schemas.<schemaName>}.
     *
     * @throws AssertionError listing every violation and the JSON that was checked
     */
    public static void assertValid(String schemaName, String json) {
        List<String> violations = validate(schemaName, json);
        if (!violations.isEmpty()) {
            StringBuilder message = new StringBuilder();
            message.append("JSON does not match OpenAI schema ").append(schemaName).append(": ")
                    .append(violations.size()).append(violations.size() == 1 ? " violation" : " violations");
            for (String violation : violations) {
                message.append("\n  - ").append(violation);
            }
            message.append("\nJSON:\n").append(json);
            throw new AssertionError(message.toString());
        }
    }

    /** Names of every schema in {@code components.schemas}. */
    public static Set<String> schemaNames() {
        return Spec.INSTANCE.names;
    }

    /**
     * Milliseconds the one load spent reading the YAML and preparing the registry (triggers the load if not done
     * yet). Building one named schema and resolving its refs happens on its first use and is not included.
     */
    public static long loadMillis() {
        return Spec.INSTANCE.loadMillis;
    }

    /** The loaded spec; the JVM's class initialisation makes the one load lazy and thread-safe. */
    private static final class Spec {
        static final ObjectMapper JSON = new ObjectMapper();
        static final Spec INSTANCE = new Spec();

        final SchemaRegistry registry;
        final Set<String> names;
        final long loadMillis;
        final Map<String, Schema> schemas = new ConcurrentHashMap<>();

        private Spec() {
            long start = System.nanoTime();
            JsonNode spec = readSpec();
            JsonNode componentSchemas = spec.path("components").path("schemas");
            if (!componentSchemas.isObject() || componentSchemas.isEmpty()) {
                throw new IllegalStateException(SPEC_RESOURCE + " has no components.schemas");
            }
            Set<String> schemaNames = new TreeSet<>();
            for (Map.Entry<String, JsonNode> entry : componentSchemas.properties()) {
                schemaNames.add(entry.getKey());
                Nullable.rewrite(entry.getValue());
            }
            names = Collections.unmodifiableSet(schemaNames);

            byte[] specJson;
            try {
                specJson = JSON.writeValueAsBytes(spec);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise " + SPEC_RESOURCE, e);
            }
            SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                    .locale(Locale.ROOT)
                    .pathType(PathType.JSON_PATH)
                    .formatAssertionsEnabled(false)
                    .build();
            InputStreamSource specSource = () -> new ByteArrayInputStream(specJson);
            // Draft 2020-12, except that keywords it does not define are silent annotations: the library's default
            // logs a warning for each (openapi, paths, discriminator, x-oaiMeta, x-stainless-const ...).
            Dialect dialect = Dialect.builder(Dialects.getDraft202012())
                    .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
                    .build();
            registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                    .schemaRegistryConfig(config)
                    .resourceLoaders(loaders -> loaders.values(list -> {
                        list.clear();
                        list.add(iri -> SPEC_IRI.equals(iri.toString()) ? specSource : null);
                    })));
            loadMillis = (System.nanoTime() - start) / 1_000_000;
        }

        Schema schema(String name) {
            Schema schema = schemas.get(name);
            if (schema != null) {
                return schema;
            }
            if (!names.contains(name)) {
                throw new IllegalArgumentException("no components.schemas." + name + " in " + SPEC_RESOURCE);
            }
            synchronized (this) {
                schema = schemas.get(name);
                if (schema == null) {
                    schema = registry.getSchema(SchemaLocation.of(SPEC_IRI + "#/components/schemas/" + name));
                    // Resolve every $ref now, so concurrent validations only read.
                    schema.initializeValidators();
                    schemas.put(name, schema);
                }
                return schema;
            }
        }

        private static JsonNode readSpec() {
            LoaderOptions loaderOptions = new LoaderOptions();
            loaderOptions.setCodePointLimit(YAML_CODE_POINT_LIMIT);
            ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().loaderOptions(loaderOptions).build());
            try (InputStream in = OpenApiSchemas.class.getResourceAsStream(SPEC_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(SPEC_RESOURCE + " is not on the test classpath");
                }
                return yaml.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + SPEC_RESOURCE, e);
            }
        }
    }

    /** Rewrites OpenAPI 3.0 {@code nullable} into draft 2020-12, in place (see the class comment). */
    static final class Nullable {
        /** Keywords whose value is one subschema. */
        private static final Set<String> SCHEMA = Set.of("items", "additionalItems", "additionalProperties",
                "unevaluatedItems", "unevaluatedProperties", "contains", "propertyNames", "not", "if", "then", "else");
        /** Keywords whose value is an array of subschemas. */
        private static final Set<String> SCHEMA_ARRAY = Set.of("allOf", "anyOf", "oneOf", "prefixItems");
        /** Keywords whose value maps names (which may be anything, even "nullable") to subschemas. */
        private static final Set<String> SCHEMA_MAP = Set.of(
                "properties", "patternProperties", "dependentSchemas", "$defs", "definitions");
        /** Keywords that constrain instances of every type: {@code null} can only be let in around them. */
        private static final Set<String> TYPE_INDEPENDENT = Set.of(
                "$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "const");

        private Nullable() {
        }

        /** Rewrites {@code schema} and every subschema in it; data keywords (enum, default, example...) are skipped. */
        static void rewrite(JsonNode schema) {
            if (!schema.isObject()) {
                return; // boolean schema
            }
            ObjectNode object = (ObjectNode) schema;
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                String keyword = entry.getKey();
                JsonNode value = entry.getValue();
                if (SCHEMA.contains(keyword)) {
                    rewrite(value);
                } else if (SCHEMA_ARRAY.contains(keyword) && value.isArray()) {
                    value.forEach(Nullable::rewrite);
                } else if (SCHEMA_MAP.contains(keyword) && value.isObject()) {
                    value.forEach(Nullable::rewrite);
                }
            }
            JsonNode nullable = object.get("nullable");
            if (nullable == null || !nullable.isBoolean()) {
                return;
            }
            object.remove("nullable");
            if (nullable.booleanValue()) {
                allowNull(object);
            }
        }

        private static void allowNull(ObjectNode schema) {
            for (String keyword : TYPE_INDEPENDENT) {
                if (schema.has(keyword)) {
                    ObjectNode original = schema.deepCopy();
                    schema.removeAll();
                    ArrayNode anyOf = schema.putArray("anyOf");
                    anyOf.add(original);
                    anyOf.addObject().put("type", "null");
                    return;
                }
            }
            JsonNode type = schema.get("type");
            if (type != null && type.isTextual() && !"null".equals(type.textValue())) {
                schema.putArray("type").add(type.textValue()).add("null");
            } else if (type != null && type.isArray() && !hasText(type, "null")) {
                ((ArrayNode) type).add("null");
            }
            JsonNode values = schema.get("enum");
            if (values != null && values.isArray() && !hasNull(values)) {
                ((ArrayNode) values).addNull();
            }
        }

        private static boolean hasText(JsonNode array, String text) {
            for (JsonNode item : array) {
                if (item.isTextual() && text.equals(item.textValue())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean hasNull(JsonNode array) {
            for (JsonNode item : array) {
                if (item.isNull()) {
                    return true;
                }
            }
            return false;
        }
    }
}
