package dev.switchboard.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves {@link OpenApiSchemas} both accepts the reference OpenAI payloads (fixtures copied from the shared spec
 * examples) and rejects each single mutation of them with a violation that names the broken field.
 */
class OpenApiSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String RESPONSE = "CreateChatCompletionResponse";
    private static final String CHUNK = "CreateChatCompletionStreamResponse";
    private static final String MODELS = "ListModelsResponse";
    private static final String ERROR = "ErrorResponse";

    private static final String VALID_MODELS =
            "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\",\"created\":0,\"owned_by\":\"p\"}]}";

    // --- the reference payloads pass

    @Test
    void chatResponseWithToolCallsIsValid() {
        OpenApiSchemas.assertValid(RESPONSE, fixture("openai-chat-response-tools.json"));
    }

    @Test
    void errorBodyIsValid() {
        OpenApiSchemas.assertValid(ERROR, fixture("openai-error-400.json"));
    }

    static Stream<String> streamChunks() {
        return Stream.of("openai-chat-stream-text.sse", "openai-chat-stream-tools.sse")
                .flatMap(name -> dataLines(name).stream());
    }

    /** Every chunk of both streams: text with role/refusal/usage null and the final usage chunk; parallel tool calls. */
    @ParameterizedTest
    @MethodSource("streamChunks")
    void streamChunkIsValid(String chunk) {
        OpenApiSchemas.assertValid(CHUNK, chunk);
    }

    @Test
    void streamFixturesAreNotEmpty() {
        assertEquals(12, streamChunks().count(), "data lines other than [DONE] in the two stream fixtures");
    }

    /** The error event sent mid-stream is an ErrorResponse, not a chunk. */
    @Test
    void midStreamErrorEventIsAnErrorResponse() {
        List<String> data = dataLines("openai-chat-stream-error.sse");
        String errorEvent = data.get(data.size() - 1);
        OpenApiSchemas.assertValid(ERROR, errorEvent);
        assertFalse(OpenApiSchemas.validate(CHUNK, errorEvent).isEmpty());
    }

    @Test
    void modelListIsValid() {
        OpenApiSchemas.assertValid(MODELS, VALID_MODELS);
    }

    // --- one mutation at a time fails, naming the field

    @Test
    void responseWithoutIdFails() {
        String json = mutate(fixture("openai-chat-response-tools.json"), root -> root.remove("id"));
        assertOnlyViolationsAbout("required property 'id'", OpenApiSchemas.validate(RESPONSE, json));
    }

    @Test
    void responseWithChoicesAsStringFails() {
        String json = mutate(fixture("openai-chat-response-tools.json"), root -> root.put("choices", "none"));
        assertOnlyViolationsAbout("$.choices:", OpenApiSchemas.validate(RESPONSE, json));
    }

    @Test
    void responseWithUnknownFinishReasonFails() {
        String json = mutate(fixture("openai-chat-response-tools.json"),
                root -> firstChoice(root).put("finish_reason", "banana"));
        assertOnlyViolationsAbout("$.choices[0].finish_reason:", OpenApiSchemas.validate(RESPONSE, json));
    }

    @Test
    void responseTaggedAsChunkFails() {
        String json = mutate(fixture("openai-chat-response-tools.json"),
                root -> root.put("object", "chat.completion.chunk"));
        assertOnlyViolationsAbout("$.object:", OpenApiSchemas.validate(RESPONSE, json));
    }

    @Test
    void chunkWithCreatedAsStringFails() {
        String json = mutate(streamChunks().findFirst().orElseThrow(), root -> root.put("created", "1767225600"));
        assertOnlyViolationsAbout("$.created:", OpenApiSchemas.validate(CHUNK, json));
    }

    @Test
    void modelWithoutOwnedByFails() {
        String json = mutate(VALID_MODELS, root -> ((ObjectNode) root.get("data").get(0)).remove("owned_by"));
        assertOnlyViolationsAbout("required property 'owned_by'", OpenApiSchemas.validate(MODELS, json));
    }

    @Test
    void errorWithoutCodeFails() {
        String json = mutate(fixture("openai-error-400.json"), root -> ((ObjectNode) root.get("error")).remove("code"));
        assertOnlyViolationsAbout("required property 'code'", OpenApiSchemas.validate(ERROR, json));
    }

    // --- nullable: the spec's 3.0-style "nullable: true" lets null in, and only there

    @Test
    void nullFinishReasonIsValidInAChunkOnly() {
        String chunk = streamChunks().findFirst().orElseThrow();
        assertTrue(chunk.contains("\"finish_reason\":null"), chunk);
        OpenApiSchemas.assertValid(CHUNK, chunk);

        String response = mutate(fixture("openai-chat-response-tools.json"),
                root -> firstChoice(root).putNull("finish_reason"));
        assertOnlyViolationsAbout("$.choices[0].finish_reason:", OpenApiSchemas.validate(RESPONSE, response));
    }

    @Test
    void nullableStillChecksNonNullValues() {
        String chunk = streamChunks().findFirst().orElseThrow();
        assertOnlyViolationsAbout("$.choices[0].finish_reason:",
                OpenApiSchemas.validate(CHUNK, mutate(chunk, root -> firstChoice(root).put("finish_reason", "banana"))));
        assertOnlyViolationsAbout("$.usage",
                OpenApiSchemas.validate(CHUNK, mutate(chunk, root -> root.put("usage", "none"))));
    }

    @Test
    void nullableRewriteCoversTypeEnumAndRef() throws IOException {
        JsonNode schema = JSON.readTree("{\"type\":\"object\",\"properties\":{"
                + "\"a\":{\"type\":\"string\",\"enum\":[\"x\"],\"nullable\":true},"
                + "\"b\":{\"$ref\":\"#/components/schemas/B\",\"nullable\":true,\"description\":\"d\"},"
                + "\"nullable\":{\"type\":\"integer\",\"nullable\":false},"
                + "\"c\":{\"type\":\"string\",\"example\":{\"nullable\":true}}}}");
        OpenApiSchemas.Nullable.rewrite(schema);
        assertEquals(JSON.readTree("{\"type\":\"object\",\"properties\":{"
                + "\"a\":{\"type\":[\"string\",\"null\"],\"enum\":[\"x\",null]},"
                + "\"b\":{\"anyOf\":[{\"$ref\":\"#/components/schemas/B\",\"description\":\"d\"},{\"type\":\"null\"}]},"
                + "\"nullable\":{\"type\":\"integer\"},"
                + "\"c\":{\"type\":\"string\",\"example\":{\"nullable\":true}}}}"), schema);
    }

    // --- API contract

    @Test
    void assertValidListsViolationsAndJson() {
        String json = mutate(fixture("openai-chat-response-tools.json"), root -> root.remove("id"));
        AssertionError error = assertThrows(AssertionError.class, () -> OpenApiSchemas.assertValid(RESPONSE, json));
        assertTrue(error.getMessage().contains(RESPONSE), error.getMessage());
        assertTrue(error.getMessage().contains("required property 'id'"), error.getMessage());
        assertTrue(error.getMessage().contains(json), error.getMessage());
    }

    @Test
    void unknownSchemaNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenApiSchemas.validate("NoSuchSchema", "{}"));
        assertTrue(e.getMessage().contains("NoSuchSchema"), e.getMessage());
    }

    @Test
    void nonJsonIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> OpenApiSchemas.validate(ERROR, "{\"error\":"));
    }

    @Test
    void schemaNamesComeFromComponents() {
        assertTrue(OpenApiSchemas.schemaNames().containsAll(List.of(RESPONSE, CHUNK, MODELS, ERROR)));
    }

    /** Many threads, first use of a schema included, see the same answers as one thread. */
    @Test
    void concurrentValidationAgrees() throws Exception {
        String valid = fixture("openai-chat-response-tools.json");
        String invalid = mutate(valid, root -> root.remove("id"));
        List<String> expectedInvalid = OpenApiSchemas.validate(RESPONSE, invalid);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<String>>> tasks = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                boolean odd = i % 2 == 1;
                tasks.add(() -> odd ? OpenApiSchemas.validate(RESPONSE, invalid) : OpenApiSchemas.validate(MODELS,
                        VALID_MODELS));
            }
            List<Future<List<String>>> results = pool.invokeAll(tasks);
            for (int i = 0; i < results.size(); i++) {
                assertEquals(i % 2 == 1 ? expectedInvalid : List.of(), results.get(i).get(), "task " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- helpers

    /** Fails unless there is at least one violation and every one mentions {@code field}. */
    private static void assertOnlyViolationsAbout(String field, List<String> violations) {
        assertFalse(violations.isEmpty(), "expected a violation about " + field);
        for (String violation : violations) {
            assertTrue(violation.contains(field), "violation not about " + field + ": " + violations);
        }
    }

    private static ObjectNode firstChoice(ObjectNode root) {
        return (ObjectNode) ((ArrayNode) root.get("choices")).get(0);
    }

    private static String mutate(String json, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            change.accept(root);
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String fixture(String name) {
        try (InputStream in = OpenApiSchemasTest.class.getResourceAsStream("/fixtures/openai/" + name)) {
            if (in == null) {
                throw new AssertionError("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The JSON payloads of an SSE fixture: each {@code data: } line except the {@code [DONE]} sentinel. */
    private static List<String> dataLines(String name) {
        List<String> data = new ArrayList<>();
        for (String line : fixture(name).split("\r?\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                data.add(line.substring("data: ".length()));
            }
        }
        return data;
    }
}
