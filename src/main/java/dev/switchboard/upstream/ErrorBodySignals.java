package dev.switchboard.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.openai.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the few facts about a vendor error body that decide a token's fate, by the body's shape rather than the
 * vendor's name (WIRE-FORMATS.md §1.8, §2.7, §3.7). Stateless, thread-safe; accepts any bytes.
 */
final class ErrorBodySignals {
    /** google.rpc.RetryInfo's {@code retryDelay}, a protobuf Duration in JSON: "34s", "1.5s". */
    private static final Pattern PROTO_DURATION = Pattern.compile("([0-9]{1,6})(\\.[0-9]{1,9})?s");

    private ErrorBodySignals() {}

    /**
     * Whether the body says the token's account is out of credit, not merely over a rate: OpenAI's
     * {@code insufficient_quota} code or type, Anthropic's {@code billing_error}, and Google's daily quota
     * ({@code RESOURCE_EXHAUSTED} with a {@code QuotaFailure} whose quota id is per day; per-minute ids are rate
     * limits and come back within a minute) or a {@code FAILED_PRECONDITION} asking to enable billing.
     */
    static boolean quotaExhausted(byte[] body) {
        JsonNode error = errorObject(body);
        if (error == null) {
            return false;
        }
        if ("insufficient_quota".equals(text(error, "code")) || "insufficient_quota".equals(text(error, "type"))
                || "billing_error".equals(text(error, "type"))) {
            return true;
        }
        String status = text(error, "status");
        if ("RESOURCE_EXHAUSTED".equals(status)) {
            for (JsonNode detail : error.path("details")) {
                for (JsonNode violation : detail.path("violations")) {
                    String quotaId = text(violation, "quotaId");
                    if (quotaId != null && quotaId.contains("PerDay")) {
                        return true;
                    }
                }
            }
        }
        String message = text(error, "message");
        return "FAILED_PRECONDITION".equals(status) && message != null
                && message.toLowerCase(Locale.ROOT).contains("billing");
    }

    /** Google's {@code RetryInfo.retryDelay}, the only place Gemini says when to come back; {@code null} if none. */
    static Duration retryDelay(byte[] body) {
        JsonNode error = errorObject(body);
        if (error == null) {
            return null;
        }
        for (JsonNode detail : error.path("details")) {
            String delay = text(detail, "retryDelay");
            Matcher matcher = delay == null ? null : PROTO_DURATION.matcher(delay);
            if (matcher != null && matcher.matches()) {
                long millis = Long.parseLong(matcher.group(1)) * 1000;
                if (matcher.group(2) != null) {
                    millis += (long) Math.ceil(Double.parseDouble("0" + matcher.group(2)) * 1000);
                }
                return millis > 0 ? Duration.ofMillis(millis) : null;
            }
        }
        return null;
    }

    /** {@code error} of the body, or of its first element (Gemini's streaming endpoint answers with an array). */
    private static JsonNode errorObject(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root != null && root.isArray() && root.size() > 0) {
                root = root.get(0);
            }
            JsonNode error = root == null ? null : root.get("error");
            return error != null && error.isObject() ? error : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }
}
