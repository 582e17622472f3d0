package dev.switchboard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.Json;
import dev.switchboard.route.Platform;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /<platform>/v1/models} and {@code GET /<router>/v1/models} in OpenAI's list shape, from the configured
 * public names.
 */
final class ModelList {
    /** OpenAI's {@code created} is required by the schema; configured models have no date, so one fixed value. */
    private static final long CREATED = 0;

    private ModelList() {}

    /** The platform's public models that {@code allowed} accepts (the caller's model allow-list). */
    static byte[] toJson(Platform platform, Predicate<String> allowed) {
        Map<String, Platform> models = new LinkedHashMap<>();
        platform.publicModels().forEach(model -> models.put(model, platform));
        return toJson(models, allowed);
    }

    /**
     * Public model name to the platform that serves it ({@code owned_by}), in listing order; only the names
     * {@code allowed} accepts.
     */
    static byte[] toJson(Map<String, Platform> models, Predicate<String> allowed) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        models.forEach((model, platform) -> {
            if (!allowed.test(model)) {
                return;
            }
            ObjectNode entry = data.addObject();
            entry.put("id", model);
            entry.put("object", "model");
            entry.put("created", CREATED);
            entry.put("owned_by", platform.name());
        });
        try {
            return Json.MAPPER.writeValueAsBytes(list);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
