package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/** A vendor with a fixed clock and counting ids, so whole outputs can be compared. */
final class GeminiTestSupport {
    static final long CREATED = 1767225600L;
    static final String MODEL = "gemini-flash";

    private GeminiTestSupport() {}

    /** A fresh vendor whose random ids are gw1, gw2, … */
    static GeminiVendor vendor() {
        int[] next = {0};
        Supplier<String> ids = () -> "gw" + ++next[0];
        return new GeminiVendor(Clock.fixed(Instant.ofEpochSecond(CREATED), ZoneOffset.UTC), ids);
    }

    static ChatRequest request(boolean stream, boolean includeUsage) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", MODEL).put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        return new ChatRequest(MODEL, stream, includeUsage, body);
    }
}
