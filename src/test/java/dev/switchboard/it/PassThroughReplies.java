package dev.switchboard.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Upstream answers for the Chat2API pass-through tests: successes per vendor, and errors to relay byte for byte. */
final class PassThroughReplies {
    private PassThroughReplies() {}

    static final String OPENAI_WHOLE = "{\"id\":\"chatcmpl-pt\",\"object\":\"chat.completion\",\"created\":1767225600,"
            + "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"paid by the caller\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";
    static final String ANTHROPIC_WHOLE = "{\"id\":\"msg_pt\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-sonnet-4-20250514\",\"content\":[{\"type\":\"text\",\"text\":\"paid by the caller\"}],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}";
    static final String GEMINI_WHOLE = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":"
            + "\"paid by the caller\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\""
            + ":3,\"candidatesTokenCount\":4,\"totalTokenCount\":7},\"modelVersion\":\"gemini-2.5-flash\"}";

    /** Upstream response headers that must not reach the caller (only Content-Type and Retry-After are relayed). */
    static final List<String> UNFORWARDED_HEADERS = List.of("x-vendor-request-id", "Set-Cookie", "retry-after-ms");

    /** A recorded stream under {@code src/test/resources/fixtures/}, sent as one 200 SSE write. */
    static Reply fixture(String path) {
        try (InputStream in = PassThroughReplies.class.getResourceAsStream("/fixtures/" + path)) {
            return Reply.sse().write(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One upstream error: what the fake upstream sends, which is exactly what the caller must get. */
    record Failure(int status, Optional<String> contentType, Optional<String> retryAfter, byte[] body) {
        Reply reply() {
            Reply reply = Reply.status(status);
            contentType.ifPresent(value -> reply.header("Content-Type", value));
            retryAfter.ifPresent(value -> reply.header("Retry-After", value));
            UNFORWARDED_HEADERS.forEach(name -> reply.header(name, "must-not-be-forwarded"));
            return reply.body(body);
        }

        @Override
        public String toString() {
            return "upstream " + status + " " + contentType.orElse("(no content type)");
        }
    }

    /**
     * 400/401/429/500 with bodies a re-encoding would change (key order, spacing, non-ASCII, a trailing newline, not
     * JSON at all), and a 503 with no body and no content type.
     */
    static List<Failure> failures() {
        return List.of(
                new Failure(400, Optional.of("application/json"), Optional.empty(),
                        utf8("{ \"error\": {\"code\": \"context_length_exceeded\", \"message\": \"too long — é\","
                                + " \"type\": \"invalid_request_error\", \"param\": \"messages\"}}\n")),
                new Failure(401, Optional.of("application/json; charset=utf-8"), Optional.empty(),
                        utf8("{\"error\":{\"message\":\"Incorrect API key provided: sk-c***f6.\",\"type\":"
                                + "\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")),
                new Failure(429, Optional.of("application/json"), Optional.of("17"),
                        utf8("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                                + "\"code\":\"rate_limit_exceeded\"}}")),
                new Failure(500, Optional.of("text/plain"), Optional.of("Wed, 21 Oct 2037 07:28:00 GMT"),
                        utf8("upstream exploded\r\n")),
                new Failure(503, Optional.empty(), Optional.of("3"), new byte[0]));
    }

    /**
     * A media type compared for equality: Tomcat re-serialises a charset parameter without the space after ';'
     * ({@code application/json;charset=utf-8}), which means the same thing (RFC 9110 §8.3.1).
     */
    static String normalisedMediaType(String value) {
        return value.replaceAll("\\s*;\\s*", "; ").toLowerCase(Locale.ROOT);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
