package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.Json;
import java.util.Map;
import java.util.Set;

/**
 * Cleans a caller's JSON Schema for Gemini's {@code parametersJsonSchema} and {@code responseJsonSchema}. Keeps only
 * the keywords generative_service.proto lists as supported for {@code GenerationConfig.response_json_schema}, so
 * {@code $schema}, {@code strict}, {@code default}, {@code examples}, {@code pattern} and the like are dropped rather
 * than failing the call. Thread-safe.
 */
final class GeminiSchemas {
    /** generative_service.proto, {@code response_json_schema}: "only the following properties are supported". */
    private static final Set<String> SUPPORTED = Set.of("$id", "$defs", "$ref", "$anchor", "type", "format", "title",
            "description", "enum", "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf",
            "oneOf", "properties", "additionalProperties", "required", "propertyOrdering");
    /** Keywords whose value is a map of names to schemas. */
    private static final Set<String> SCHEMA_MAPS = Set.of("properties", "$defs");
    /** Keywords whose value is a schema or an array of schemas. */
    private static final Set<String> SUBSCHEMAS = Set.of("items", "prefixItems", "anyOf", "oneOf",
            "additionalProperties");

    private GeminiSchemas() {}

    /** A cleaned deep copy; the caller's tree is left as it was. */
    static JsonNode clean(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return schema == null ? null : schema.deepCopy();
        }
        ObjectNode cleaned = Json.MAPPER.createObjectNode();
        boolean hasRef = schema.has("$ref");
        JsonNode constValue = schema.get("const");
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            if (!SUPPORTED.contains(keyword) || hasRef && !keyword.startsWith("$")) {
                // proto: "If $ref is set on a sub-schema, no other properties, except for those starting as a $,
                // may be set."
                continue;
            }
            if (SCHEMA_MAPS.contains(keyword) && value.isObject()) {
                ObjectNode map = cleaned.putObject(keyword);
                value.properties().forEach(entry -> map.set(entry.getKey(), clean(entry.getValue())));
            } else if (SUBSCHEMAS.contains(keyword) && value.isArray()) {
                ArrayNode list = cleaned.putArray(keyword);
                value.forEach(item -> list.add(clean(item)));
            } else if (SUBSCHEMAS.contains(keyword)) {
                cleaned.set(keyword, clean(value));
            } else {
                cleaned.set(keyword, value.deepCopy());
            }
        }
        if (constValue != null && !hasRef && !cleaned.has("enum")) {
            // const is not supported, but a one-value enum says the same thing.
            cleaned.putArray("enum").add(constValue.deepCopy());
        }
        return cleaned;
    }
}
