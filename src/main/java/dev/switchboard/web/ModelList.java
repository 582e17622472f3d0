package dev.switchboard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.Json;
import dev.switchboard.route.Platform;
import java.io.UncheckedIOException;
import java.util.function.Predicate;

/** {@code GET /<platform>/v1/models} in OpenAI's list shape, from the platform's configured public names. */
final class ModelList {
    /** OpenAI's {@code created} is required by the schema; configured models have no date, so one fixed value. */
    private static final long CREATED = 0;

    private ModelList() {}

    /** The platform's public models that {@code allowed} accepts (the caller's model allow-list). */
    static byte[] toJson(Platform platform, Predicate<String> allowed) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String model : platform.publicModels()) {
            if (!allowed.test(model)) {
                continue;
            }
            ObjectNode entry = data.addObject();
            entry.put("id", model);
            entry.put("object", "model");
            entry.put("created", CREATED);
            entry.put("owned_by", platform.name());
        }
        try {
            return Json.MAPPER.writeValueAsBytes(list);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
