package dev.switchboard.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.switchboard.openai.Json;
import java.io.IOException;

/**
 * Reads {@code usage.prompt_tokens} and {@code usage.completion_tokens} from an OpenAI response or chunk, for the
 * access log. Streams through the JSON without building a tree; anything unexpected means "no usage".
 */
public final class UsageParser {
    private UsageParser() {}

    /** Cheap pre-check for stream chunks: only the chunk that carries usage is parsed at all. */
    public static boolean mayCarryUsage(String json) {
        return json.contains("\"usage\":{") || json.contains("\"usage\": {");
    }

    /** Records the usage found at the top level of {@code json} into {@code record}; returns whether it found any. */
    public static boolean read(byte[] json, AccessRecord record) {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(json)) {
            return read(parser, record);
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean read(String json, AccessRecord record) {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(json)) {
            return read(parser, record);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean read(JsonParser parser, AccessRecord record) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
                return readUsage(parser, record);
            }
            parser.skipChildren();
        }
        return false;
    }

    private static boolean readUsage(JsonParser parser, AccessRecord record) throws IOException {
        long prompt = -1;
        long completion = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT && "prompt_tokens".equals(field)) {
                prompt = parser.getLongValue();
            } else if (value == JsonToken.VALUE_NUMBER_INT && "completion_tokens".equals(field)) {
                completion = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
        if (prompt < 0 && completion < 0) {
            return false;
        }
        record.usage(Math.max(prompt, 0), Math.max(completion, 0));
        return true;
    }
}
