package dev.switchboard.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatRequestParserTest {
    private static final int MAX_DEPTH = 8;
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String MINIMAL = "{\"model\":\"gpt-4o\"," + MESSAGES + "}";

    private final ChatRequestParser parser = new ChatRequestParser(MAX_DEPTH, 1024 * 1024);

    // --- valid requests

    @Test
    void minimalBody() throws ApiException {
        ChatRequest request = parse(MINIMAL);

        assertEquals("gpt-4o", request.model());
        assertFalse(request.stream());
        assertFalse(request.includeUsage());
        assertEquals("hi", request.body().path("messages").path(0).path("content").asText());
    }

    @Test
    void streamWithIncludeUsage() throws ApiException {
        ChatRequest request = parse(
                "{\"model\":\"m\"," + MESSAGES + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        assertTrue(request.stream());
        assertTrue(request.includeUsage());
    }

    @Test
    void streamWithoutStreamOptionsHasNoUsage() throws ApiException {
        ChatRequest request = parse("{\"model\":\"m\"," + MESSAGES + ",\"stream\":true}");

        assertTrue(request.stream());
        assertFalse(request.includeUsage());
    }

    @Test
    void includeUsageCountsOnlyWhenStreaming() throws ApiException {
        ChatRequest request = parse(
                "{\"model\":\"m\"," + MESSAGES + ",\"stream\":false,\"stream_options\":{\"include_usage\":true}}");

        assertFalse(request.stream());
        assertFalse(request.includeUsage());
    }

    @Test
    void nullOptionalFieldsAreAbsentFields() throws ApiException {
        ChatRequest request = parse("{\"model\":\"m\"," + MESSAGES
                + ",\"stream\":null,\"stream_options\":null,\"n\":null,\"max_tokens\":null}");

        assertFalse(request.stream());
        assertFalse(request.includeUsage());
    }

    @Test
    void boundsAreInclusive() throws ApiException {
        parse("{\"model\":\"m\"," + MESSAGES + ",\"n\":1,\"max_tokens\":1}");
        parse("{\"model\":\"m\"," + MESSAGES + ",\"n\":128,\"max_tokens\":10000000,\"max_completion_tokens\":10000000}");
    }

    @Test
    void bodyKeepsUnknownFields() throws ApiException {
        ChatRequest request = parse("{\"model\":\"m\"," + MESSAGES + ",\"top_k\":40,\"vendor_extra\":{\"a\":[1,2]}}");

        assertEquals(40, request.body().path("top_k").intValue());
        assertEquals(2, request.body().path("vendor_extra").path("a").path(1).intValue());
    }

    @Test
    void readsOnlyTheFirstLengthBytesOfTheBuffer() throws ApiException {
        // The body reader hands over a reused buffer larger than the body.
        byte[] body = utf8(MINIMAL);
        byte[] buffer = new byte[body.length + 32];
        System.arraycopy(body, 0, buffer, 0, body.length);
        Arrays.fill(buffer, body.length, buffer.length, (byte) '#');

        assertEquals("gpt-4o", parser.parse(buffer, body.length).model());
    }

    // --- missing and mistyped fields

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"messages\":[{\"role\":\"user\"}]}                | model",
        "{\"model\":null,\"messages\":[{\"role\":\"user\"}]} | model",
        "{\"model\":\"m\"}                                   | messages",
        "{\"model\":\"m\",\"messages\":null}                 | messages",
        "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]} | messages[0].role",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"},{\"role\":null}]} | messages[1].role",
    })
    void missingRequiredParameter(String body, String param) {
        assertRejected(400, "missing_required_parameter", param, body);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":42," + MESSAGES + "}                                       | model",
        "{\"model\":[\"m\"]," + MESSAGES + "}                                  | model",
        "{\"model\":\"m\",\"messages\":{\"role\":\"user\"}}                    | messages",
        "{\"model\":\"m\",\"messages\":\"hi\"}                                 | messages",
        "{\"model\":\"m\",\"messages\":[\"hi\"]}                               | messages[0]",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"},{\"role\":7}]}     | messages[1].role",
        "{\"model\":\"m\",\"messages\":[{\"role\":{\"name\":\"user\"}}]}       | messages[0].role",
        "{\"model\":\"m\"," + MESSAGES + ",\"stream\":\"yes\"}                 | stream",
        "{\"model\":\"m\"," + MESSAGES + ",\"stream\":1}                       | stream",
        "{\"model\":\"m\"," + MESSAGES + ",\"stream_options\":\"usage\"}       | stream_options",
        "{\"model\":\"m\"," + MESSAGES + ",\"stream\":true,\"stream_options\":{\"include_usage\":\"true\"}} "
                + "| stream_options.include_usage",
        "{\"model\":\"m\"," + MESSAGES + ",\"n\":1.5}                          | n",
        "{\"model\":\"m\"," + MESSAGES + ",\"n\":\"2\"}                        | n",
        "{\"model\":\"m\"," + MESSAGES + ",\"max_tokens\":100.5}               | max_tokens",
        "{\"model\":\"m\"," + MESSAGES + ",\"max_completion_tokens\":\"10\"}   | max_completion_tokens",
    })
    void wrongType(String body, String param) {
        assertRejected(400, "invalid_type", param, body);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\"," + MESSAGES + ",\"n\":0}                                   | n",
        "{\"model\":\"m\"," + MESSAGES + ",\"n\":129}                                 | n",
        "{\"model\":\"m\"," + MESSAGES + ",\"n\":-1}                                  | n",
        "{\"model\":\"m\"," + MESSAGES + ",\"max_tokens\":0}                          | max_tokens",
        "{\"model\":\"m\"," + MESSAGES + ",\"max_tokens\":10000001}                   | max_tokens",
        "{\"model\":\"m\"," + MESSAGES + ",\"max_tokens\":99999999999999999999999999} | max_tokens",
        "{\"model\":\"m\"," + MESSAGES + ",\"max_completion_tokens\":0}               | max_completion_tokens",
        "{\"model\":\"\"," + MESSAGES + "}                                            | model",
        "{\"model\":\"   \"," + MESSAGES + "}                                         | model",
        "{\"model\":\"m\",\"messages\":[]}                                            | messages",
    })
    void invalidValue(String body, String param) {
        assertRejected(400, "invalid_value", param, body);
    }

    @Test
    void overlongModelNameIsInvalid() {
        assertRejected(400, "invalid_value", "model", "{\"model\":\"" + "m".repeat(257) + "\"," + MESSAGES + "}");
    }

    // --- not a JSON object

    @Test
    void emptyBody() {
        ApiError error = rejected(new byte[0], 0);

        assertEquals("invalid_json", error.code());
        assertNull(error.param());
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "\r\n", " \t\n "})
    void whitespaceOnlyBodyIsInvalidJson(String body) {
        // RFC 8259 §2: a JSON text is a value with optional whitespace around it; whitespace alone is no JSON.
        assertRejected(400, "invalid_json", null, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[" + MINIMAL + "]", "\"hello\"", "42", "true", "null"})
    void nonObjectRootIsInvalidType(String body) {
        assertRejected(400, "invalid_type", null, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        MINIMAL + " x",
        MINIMAL + "{}",
        MINIMAL + " 5",
        MINIMAL + "]",
    })
    void trailingContentAfterTheObject(String body) {
        assertRejected(400, "invalid_json", null, body);
    }

    @Test
    void trailingWhitespaceIsFine() throws ApiException {
        assertEquals("gpt-4o", parse(MINIMAL + " \r\n\t").model());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{",
        "{\"model\":\"m\",}",
        "{'model':'m'}",
        "{\"model\":\"m\" \"messages\":[]}",
        "{model:\"m\"}",
        "{\"model\":\"line\nbreak\"}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]",
    })
    void invalidJson(String body) {
        assertRejected(400, "invalid_json", null, body);
    }

    @Test
    void invalidUtf8InsideAString() {
        byte[] body = concat(utf8("{\"model\":\"a"), new byte[] {(byte) 0xC3, 0x28}, utf8("\"," + MESSAGES + "}"));

        ApiError error = rejected(body, body.length);

        assertEquals("invalid_json", error.code());
        assertEquals(400, error.status());
    }

    @Test
    void invalidUtf8InsideAFieldName() {
        byte[] body = concat(utf8("{\"mo"), new byte[] {(byte) 0xFF}, utf8("del\":\"m\"," + MESSAGES + "}"));

        assertEquals("invalid_json", rejected(body, body.length).code());
    }

    // --- duplicate keys

    @Test
    void duplicateTopLevelKey() {
        assertRejected(400, "duplicate_key", null, "{\"model\":\"cheap\",\"model\":\"expensive\"," + MESSAGES + "}");
    }

    @Test
    void duplicateNestedKey() {
        assertRejected(400, "duplicate_key", null,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"role\":\"system\",\"content\":\"hi\"}]}");
    }

    // --- JSON limits

    @Test
    void nestingAtTheConfiguredDepthIsAccepted() throws ApiException {
        parse(withNesting(MAX_DEPTH));
    }

    @Test
    void nestingDeeperThanTheConfiguredDepth() {
        assertRejected(400, "json_limits_exceeded", null, withNesting(MAX_DEPTH + 1));
    }

    @Test
    void hugeNumberLiteral() {
        assertRejected(400, "json_limits_exceeded", null,
                "{\"model\":\"m\"," + MESSAGES + ",\"temperature\":" + "1".repeat(100) + "}");
    }

    @Test
    void longFieldName() {
        assertRejected(400, "json_limits_exceeded", null,
                "{\"model\":\"m\"," + MESSAGES + ",\"" + "k".repeat(2000) + "\":1}");
    }

    // --- error messages

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"model\":\"m\",\n\"messages\":[}",
        "{\"model\":\"m\",\n\"model\":\"n\"}",
        "{\"model\":\"m\"}\n{\"model\":\"n\"}",
        "{\"model\":\"m\",\n\"x\":sk-secret-token-in-body\n}",
        "{\"model\":\"m\",\n\"x\":[1,2,\n3\n",
    })
    void errorMessageIsOneLineWithoutJacksonsSourceSnippet(String body) {
        ApiError error = rejected(utf8(body), utf8(body).length);

        assertFalse(error.message().contains("\n"), error.message());
        assertFalse(error.message().contains("\"model\""), error.message());
        assertTrue(error.message().startsWith("The request body is not valid JSON (line "), error.message());
    }

    @Test
    void errorMessageNamesTheLineOfTheMistake() {
        byte[] body = utf8("{\"model\":\"m\",\n\n\"messages\":]}");

        ApiError error = rejected(body, body.length);

        assertTrue(error.message().contains("(line 3, column "), error.message());
    }

    @Test
    void limitMessageDoesNotEchoTheBody() {
        String name = "secret".repeat(400);
        String body = "{\"model\":\"m\"," + MESSAGES + ",\"" + name + "\":1}";

        ApiError error = rejected(utf8(body), utf8(body).length);

        assertFalse(error.message().contains("secretsecret"), error.message());
        assertFalse(error.message().contains("\n"), error.message());
    }

    // --- helpers

    @Test
    void utf16AndUtf32BodiesAreRejectedAsNotUtf8() {
        for (java.nio.charset.Charset charset : List.of(java.nio.charset.StandardCharsets.UTF_16BE,
                java.nio.charset.StandardCharsets.UTF_16LE, java.nio.charset.Charset.forName("UTF-32BE"))) {
            byte[] body = MINIMAL.getBytes(charset);
            ApiError error = rejected(body, body.length);
            assertEquals("invalid_json", error.code(), charset.name());
            assertTrue(error.message().contains("UTF-8"), error.message());
        }
        byte[] withBom = concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, MINIMAL.getBytes(java.nio.charset.StandardCharsets.UTF_16BE));
        assertEquals("invalid_json", rejected(withBom, withBom.length).code());
    }

    @Test
    void jsonErrorMessagesCarryNoSourceNote() {
        byte[] body = utf8("{\"model\": tru}");
        ApiError error = rejected(body, body.length);
        assertFalse(error.message().contains("[Source"), error.message());
    }

    private ChatRequest parse(String body) throws ApiException {
        byte[] bytes = utf8(body);
        return parser.parse(bytes, bytes.length);
    }

    private ApiError rejected(byte[] body, int length) {
        return assertThrows(ApiException.class, () -> parser.parse(body, length)).error();
    }

    private void assertRejected(int status, String code, String param, String body) {
        ApiError error = rejected(utf8(body), utf8(body).length);
        assertEquals(status, error.status(), error.message());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals(code, error.code(), error.message());
        assertEquals(param, error.param(), error.message());
        assertFalse(error.message().isBlank());
    }

    /** A valid request whose deepest value sits at {@code depth} (the root object is depth 1). */
    private static String withNesting(int depth) {
        StringBuilder nested = new StringBuilder("{\"model\":\"m\"," + MESSAGES + ",\"extra\":");
        nested.append("[".repeat(depth - 1)).append("]".repeat(depth - 1)).append('}');
        return nested.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            joined.writeBytes(part);
        }
        return joined.toByteArray();
    }
}
