package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ErrorBodySignalsTest {
    /** Gemini's per-minute limit: the message mentions billing too, but it is a rate limit. */
    static final String GEMINI_PER_MINUTE = """
            {"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.",
             "status":"RESOURCE_EXHAUSTED","details":[
              {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests",
                 "quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
              {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34s"}]}}""";
    static final String GEMINI_PER_DAY = GEMINI_PER_MINUTE.replace("PerMinute", "PerDay");

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"param\":null,"
                + "\"code\":\"insufficient_quota\"}}",
        "{\"error\":{\"code\":\"insufficient_quota\"}}",
        "{\"error\":{\"type\":\"insufficient_quota\"}}",
        "{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"Your credit balance is too low\"}}",
        "{\"error\":{\"code\":400,\"status\":\"FAILED_PRECONDITION\",\"message\":\"Gemini API free tier is not available"
                + " in your country. Please enable billing on your project in Google AI Studio.\"}}",
    })
    void quotaExhaustedBodies(String body) {
        assertTrue(ErrorBodySignals.quotaExhausted(utf8(body)));
    }

    @Test
    void geminiDailyQuotaIsExhaustedButPerMinuteIsARateLimit() {
        assertTrue(ErrorBodySignals.quotaExhausted(utf8(GEMINI_PER_DAY)));
        assertTrue(ErrorBodySignals.quotaExhausted(utf8("[" + GEMINI_PER_DAY + "]")));
        assertFalse(ErrorBodySignals.quotaExhausted(utf8(GEMINI_PER_MINUTE)));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "<html>insufficient_quota</html>", "{\"error\":{\"code\":\"rate_limit_exceeded\"}}",
        "{\"error\":\"insufficient_quota\"}", "{\"error\":{\"status\":\"FAILED_PRECONDITION\",\"message\":\"region\"}}",
        "[]", "null"})
    void otherBodiesAreNot(String body) {
        assertFalse(ErrorBodySignals.quotaExhausted(body == null ? null : utf8(body)));
    }

    @Test
    void geminiRetryDelay() {
        assertEquals(Duration.ofSeconds(34), ErrorBodySignals.retryDelay(utf8(GEMINI_PER_MINUTE)));
        assertEquals(Duration.ofMillis(1500),
                ErrorBodySignals.retryDelay(utf8(GEMINI_PER_MINUTE.replace("34s", "1.5s"))));
        assertNull(ErrorBodySignals.retryDelay(utf8(GEMINI_PER_MINUTE.replace("34s", "soon"))));
        assertNull(ErrorBodySignals.retryDelay(utf8("{\"error\":{\"message\":\"x\"}}")));
        assertNull(ErrorBodySignals.retryDelay(utf8("not json")));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
