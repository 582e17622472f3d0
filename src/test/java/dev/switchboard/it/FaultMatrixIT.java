package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The managed-mode outcome table of RELIABILITY.md, row by row, against a real fault-injecting upstream on loopback:
 * for each upstream outcome, what the client gets (status, OpenAI-shaped error type and code), how many attempts were
 * made (the {@code x-switchboard-attempts} header and the attempts the upstream recorded), which tokens were used,
 * what the outcome did to the token's health (seen through which token the next request gets), that nothing was
 * retried after commit, and that no exchange or pooled connection is left behind.
 *
 * <p>Each test has a platform of its own, so the token health it changes (cooldowns, disabled and ejected tokens, the
 * round-robin position) cannot leak into another test. Tokens are literal and named after their platform
 * ({@code reset-a}, {@code reset-b}, …, see {@link FaultConfig#tokens}); the upstream path names the platform.
 *
 * <p>Rows not produced here: DNS failures (no resolver to fail on loopback; they take the same path as a
 * refused connect, {@code UnknownHostException} → {@code upstream_connect_error}, unit-tested in
 * {@code UpstreamFailuresClassifyTest}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FaultMatrixIT {
    private static final String MODEL = "gpt-4o";
    private static final Duration CLIENT_END = Duration.ofSeconds(10);
    /** First-byte and idle timeouts and deadline of the {@code stalled} platform. */
    private static final long STALLED_MS = 20_000;
    /**
     * Noticing takes up to one scan of the socket tables for a FIN, and up to three (seen, missing, missing again) for
     * a reset. The probe scans every second, or up to every 5 s on a machine with very many sockets (earlier tests
     * leave thousands in TIME_WAIT); this leaves a margin and is still before the first-byte timeout
     * ({@link #STALLED_MS}), so only the client's leaving can end the attempt within it.
     */
    private static final Duration NOTICED = Duration.ofSeconds(17);

    private static final HttpClient STREAMING_CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final FaultUpstream upstream = FaultUpstream.start();

    private static final LoopbackTraps.FullBacklog BLACKHOLE = new LoopbackTraps.FullBacklog();
    private static final LoopbackTraps.NotTls NOT_TLS = new LoopbackTraps.NotTls();

    /** Real cooldown bounds, short enough that waiting one out keeps a test near two seconds. */
    private static final String COOLING = "{ \"maxRetries\": 2, \"backoffBaseMs\": 5, \"backoffCapMs\": 20,"
            + " \"cooldownMinMs\": 1000, \"cooldownDefaultMs\": 1500, \"cooldownMaxMs\": 2000 }";
    /** Real ejection after three consecutive failures, and an ejection far longer than the class. */
    private static final String EJECTING = "{ \"maxRetries\": 2, \"backoffBaseMs\": 5, \"backoffCapMs\": 20,"
            + " \"ejectAfterFailures\": 3, \"ejectMs\": 600000, \"ejectMaxMs\": 600000 }";
    /** Every failure ejects: the quickest way to a pool that is ejected as a whole. */
    private static final String EJECT_AT_ONCE = "{ \"maxRetries\": 2, \"backoffBaseMs\": 5, \"backoffCapMs\": 20,"
            + " \"ejectAfterFailures\": 1, \"ejectMs\": 600000, \"ejectMaxMs\": 600000 }";
    /**
     * A backoff no test outlives: full jitter draws the wait from [0, min(cap, base·2ⁿ)], so base and cap of ten days
     * put a wait shorter than the few seconds a test needs to see it and leave at odds of about 1 in 100,000 per
     * backoff. The deadline lies beyond the cap, else the plan would give up rather than wait.
     */
    private static final String LONG_BACKOFF = "{ \"maxRetries\": 2, \"backoffBaseMs\": 864000000,"
            + " \"backoffCapMs\": 864000000, \"deadlineMs\": 1728000000, \"ejectAfterFailures\": 100 }";
    private static final String SERVES_MODEL = ", \"models\": { \"" + MODEL + "\": \"" + MODEL + "\" }";

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        String fault = upstream.baseUri().toString();
        new FaultConfig()
                .platform("refused", "http://127.0.0.1:" + LoopbackTraps.closedPort() + "/v1", 3, FaultConfig.FAST, "")
                .platform("blackhole", "http://127.0.0.1:" + BLACKHOLE.port() + "/v1", 2,
                        "{ \"maxRetries\": 1, \"backoffBaseMs\": 5, \"backoffCapMs\": 20 }",
                        ", \"timeouts\": { \"connectMs\": 300 }")
                .platform("tls", "https://127.0.0.1:" + NOT_TLS.port() + "/v1", 2, FaultConfig.FAST, "")
                .platform("reset", fault + "/reset/v1", 3, FaultConfig.FAST, "")
                .platform("slow", fault + "/slow/v1", 2, FaultConfig.FAST, ", \"timeouts\": { \"firstByteMs\": 800 }")
                .platform("limited", fault + "/limited/v1", 2, COOLING, "")
                .platform("limitedall", fault + "/limitedall/v1", 2, COOLING, "")
                .platform("quota", fault + "/quota/v1", 3, FaultConfig.FAST, "")
                .platform("denied", fault + "/denied/v1", 3, FaultConfig.FAST, "")
                .platform("spent", fault + "/spent/v1", 2, FaultConfig.FAST, "")
                .platform("flaky", fault + "/flaky/v1", 3, FaultConfig.FAST, "")
                .platform("strict", fault + "/strict/v1", 2, FaultConfig.FAST, "")
                .platform("html", fault + "/html/v1", 3, FaultConfig.FAST, "")
                .platform("moved", fault + "/moved/v1", 2, FaultConfig.FAST, "")
                .platform("streams", fault + "/streams/v1", 2, FaultConfig.FAST, "")
                .platform("eject", fault + "/eject/v1", 3, EJECTING, "")
                .platform("doomed", fault + "/doomed/v1", 2, EJECT_AT_ONCE, "")
                // The deadline ends the request at the first-byte timeout: if the gateway misses the client leaving, the
                // stalled attempt still ends there, with no retry to disturb the tests that follow.
                .platform("stalled", fault + "/stalled/v1", 2, "{ \"maxRetries\": 2, \"backoffBaseMs\": 5,"
                        + " \"backoffCapMs\": 20, \"deadlineMs\": " + STALLED_MS + " }",
                        ", \"timeouts\": { \"firstByteMs\": " + STALLED_MS + ", \"idleMs\": " + STALLED_MS + " }")
                .platform("patient", fault + "/patient/v1", 2, LONG_BACKOFF, "")
                .platform("primary", fault + "/primary/v1", 2, FaultConfig.FAST, SERVES_MODEL)
                .platform("secondary", fault + "/secondary/v1", 1, FaultConfig.FAST, SERVES_MODEL)
                .router("failover", "primary", "secondary")
                .write();
        return Deployments.war();
    }

    @AfterAll
    static void closeTraps() {
        BLACKHOLE.close();
        NOT_TLS.close();
    }

    // ---- connection-level failures ----

    @Test
    void connectRefusedIsRetriedOnAnotherTokenThen502ConnectError() {
        HttpResponse<String> response = chat("refused", false);

        assertError(response, 502, "server_error", "upstream_connect_error");
        assertAttempts(response, 3);
        assertEquals("refused#3", upstreamAlias(response), "each retry on the next token of the pool");
        settled(0);
    }

    /** A listener whose accept queue is full never answers the SYN: the connect hangs like a black-holed address. */
    @Test
    void connectTimeoutIsRetriedOnAnotherTokenThen504ConnectTimeout() {
        HttpResponse<String> response = chat("blackhole", false);

        assertError(response, 504, "server_error", "upstream_connect_timeout");
        assertAttempts(response, 2);
        assertEquals("blackhole#2", upstreamAlias(response));
        settled(0);
    }

    /** A plain-HTTP server behind an https:// base URL: the handshake fails, and the endpoint is broken for all. */
    @Test
    void tlsFailureIsNotRetriedOnTheSameEndpoint() {
        HttpResponse<String> response = chat("tls", false);

        assertError(response, 502, "server_error", "upstream_tls_error");
        assertAttempts(response, 1);
        assertEquals(1, NOT_TLS.accepted(), "one handshake, no other token tried on a broken endpoint");
        settled(0);
    }

    @Test
    void resetOrEofBeforeHeadersIsRetriedOnAnotherToken() {
        upstream.onToken("reset-a", Fault.resetBeforeHeaders()).onToken("reset-b", ok("from b"));

        HttpResponse<String> recovered = chat("reset", false);

        assertEquals(200, recovered.statusCode(), recovered.body());
        assertContent(recovered, "from b");
        assertAttempts(recovered, 2);
        assertEquals(List.of("reset-a", "reset-b"), upstream.tokens());

        upstream.onToken("reset-a", Fault.closeBeforeHeaders()).onToken("reset-b", Fault.resetBeforeHeaders())
                .onToken("reset-c", Fault.resetBeforeHeaders());
        HttpResponse<String> failed = chat("reset", false);

        assertError(failed, 502, "server_error", "upstream_reset");
        assertAttempts(failed, 3);
        assertEquals(Set.of("reset-a", "reset-b", "reset-c"), Set.copyOf(upstream.tokens().subList(2, 5)),
                "three attempts, three tokens");
        settled(5);
    }

    @Test
    void firstByteTimeoutCancelsTheSlowAttemptAndTriesAnotherToken() {
        upstream.onToken("slow-a", Fault.stall()).onToken("slow-b", ok("from b"));

        HttpResponse<String> recovered = chat("slow", false);

        assertEquals(200, recovered.statusCode(), recovered.body());
        assertContent(recovered, "from b");
        assertAttempts(recovered, 2);
        assertEquals(List.of("slow-a", "slow-b"), upstream.tokens());
        upstream.attempts().get(0).awaitClientEnd(CLIENT_END); // the gateway closed the slow attempt's connection

        upstream.onToken("slow-b", Fault.stall());
        HttpResponse<String> failed = chat("slow", false);

        assertError(failed, 504, "server_error", "upstream_timeout");
        assertAttempts(failed, 3);
        assertEquals(Set.of("slow-a", "slow-b"), Set.copyOf(upstream.tokens().subList(2, 5)));
        for (FaultAttempt attempt : upstream.attempts()) {
            if (attempt.token().startsWith("slow-") && attempt.index() != 1) {
                attempt.awaitClientEnd(CLIENT_END);
            }
        }
        settled(5);
    }

    // ---- the vendor refuses the token ----

    @Test
    void rateLimitedTokenRotatesAtOnceCoolsDownIsSkippedAndComesBack() {
        upstream.onToken("limited-a", rateLimited("retry-after-ms", "1500"), ok("from a"))
                .onToken("limited-b", ok("from b"));

        HttpResponse<String> rotated = chat("limited", false);
        Instant answered = Instant.now();

        assertEquals(200, rotated.statusCode(), rotated.body());
        assertContent(rotated, "from b");
        assertAttempts(rotated, 2);
        assertEquals(List.of("limited-a", "limited-b"), upstream.tokens());

        // Round-robin would pick limited-a next; it is cooling, so the request goes straight to limited-b.
        HttpResponse<String> skipped = chat("limited", false);
        assertEquals(200, skipped.statusCode(), skipped.body());
        assertAttempts(skipped, 1);
        assertEquals(List.of("limited-a", "limited-b", "limited-b"), upstream.tokens(),
                "no attempt on the cooling token");

        // The cooldown (1.5 s from a 429 the gateway saw before `answered`) has passed: the time is what is tested.
        Await.until("limited-a's cooldown over", () -> Instant.now().isAfter(answered.plusMillis(1600)));
        HttpResponse<String> back = chat("limited", false);
        assertEquals(200, back.statusCode(), back.body());
        assertContent(back, "from a");
        assertAttempts(back, 1);
        assertEquals("limited-a", upstream.tokens().get(3));
        assertTrue(Duration.between(upstream.attempts().get(0).arrivedAt(), upstream.attempts().get(3).arrivedAt())
                .toMillis() >= 1500, "not used before its cooldown ended");
        settled(4);
    }

    @Test
    void everyTokenRateLimitedAnswers429WithTheShortestCooldownAndTheNextRequestWaitsWithoutAnAttempt() {
        upstream.onToken("limitedall-a", rateLimited("Retry-After", "2"))
                .onToken("limitedall-b", rateLimited("retry-after-ms", "900")); // raised to cooldownMinMs, 1 s

        HttpResponse<String> limited = chat("limitedall", false);

        JsonNode error = assertError(limited, 429, "rate_limit_error", "rate_limit_exceeded");
        assertAttempts(limited, 2);
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(""), "the shortest cooldown: " + error);
        assertEquals(Set.of("limitedall-a", "limitedall-b"), Set.copyOf(upstream.tokens()));

        HttpResponse<String> waiting = chat("limitedall", false);
        assertError(waiting, 429, "rate_limit_error", "rate_limit_exceeded");
        assertEquals("1", waiting.headers().firstValue("Retry-After").orElse(""));
        assertAttempts(waiting, 0);
        settled(2);
    }

    @Test
    void quotaExhaustedOr402DisablesTheTokenAndTheNextRequestSkipsIt() {
        upstream.onToken("quota-a", Fault.status(429).json(vendorError("You exceeded your current quota.",
                        "insufficient_quota", "insufficient_quota")))
                .onToken("quota-b", Fault.status(402).json(vendorError("Payment required.", "billing_error", null)))
                .onToken("quota-c", ok("from c"));

        HttpResponse<String> rotated = chat("quota", false);

        assertEquals(200, rotated.statusCode(), rotated.body());
        assertContent(rotated, "from c");
        assertAttempts(rotated, 3);
        assertEquals(List.of("quota-a", "quota-b", "quota-c"), upstream.tokens());

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> next = chat("quota", false);
            assertEquals(200, next.statusCode(), next.body());
            assertAttempts(next, 1);
        }
        assertEquals(List.of("quota-a", "quota-b", "quota-c", "quota-c", "quota-c"), upstream.tokens(),
                "disabled tokens are not tried again");
        settled(5);
    }

    @Test
    void vendor401Or403DisablesTheTokenAndTheCallerNeverSeesTheVendors401() {
        upstream.onToken("denied-a", Fault.status(401).json(vendorError("Incorrect API key provided: denied-a.",
                        "invalid_request_error", "invalid_api_key")))
                .onToken("denied-b", Fault.status(403).json(vendorError("Forbidden.", "permission_error", null)))
                .onToken("denied-c", ok("from c"));

        HttpResponse<String> rotated = chat("denied", false);

        assertEquals(200, rotated.statusCode(), rotated.body());
        assertContent(rotated, "from c");
        assertAttempts(rotated, 3);

        HttpResponse<String> next = chat("denied", false);
        assertEquals(200, next.statusCode(), next.body());
        assertAttempts(next, 1);
        assertEquals(List.of("denied-a", "denied-b", "denied-c", "denied-c"), upstream.tokens());
        settled(4);
    }

    @Test
    void everyTokenRefusedAnswers502CredentialsExhaustedNowAndOnTheNextRequest() {
        upstream.onToken("spent-a", Fault.status(401).json(vendorError("Incorrect API key provided: spent-a.",
                        "invalid_request_error", "invalid_api_key")))
                .onToken("spent-b", Fault.status(429).json(vendorError("You exceeded your current quota.",
                        "insufficient_quota", "insufficient_quota")));

        HttpResponse<String> refused = chat("spent", false);

        assertError(refused, 502, "server_error", "upstream_credentials_exhausted");
        assertFalse(refused.body().contains("spent-a"), "never the vendor's message naming its key");
        assertAttempts(refused, 2);
        assertEquals(Set.of("spent-a", "spent-b"), Set.copyOf(upstream.tokens()));

        HttpResponse<String> next = chat("spent", false);
        assertError(next, 502, "server_error", "upstream_credentials_exhausted");
        assertAttempts(next, 0);
        settled(2);
    }

    // ---- the vendor answers with an error or garbage ----

    @Test
    void serverErrorsAreRetriedUpToMaxRetriesAndKeepTheirStatus() {
        for (int status : new int[] {500, 502, 503, 504}) {
            upstream.reset();
            upstream.always(Fault.status(status).json(vendorError("vendor trouble " + status, "server_error", null)));

            HttpResponse<String> response = chat("flaky", false);

            JsonNode error = assertError(response, status, "server_error", "upstream_error");
            assertTrue(error.path("message").asText().contains("HTTP " + status), response.body());
            assertAttempts(response, 3);
            assertEquals(3, Set.copyOf(upstream.tokens()).size(), "every retry on another token: " + upstream.tokens());
            settled(3);
        }
        upstream.reset();
        upstream.enqueue(Fault.status(503).json(vendorError("overloaded", "server_error", null)), ok("second try"));

        HttpResponse<String> recovered = chat("flaky", false);

        assertEquals(200, recovered.statusCode(), recovered.body());
        assertContent(recovered, "second try");
        assertAttempts(recovered, 2);
        assertNotEquals(upstream.tokens().get(0), upstream.tokens().get(1));
        settled(2);
    }

    @Test
    void clientErrorsAreRelayedAfterExactlyOneAttempt() {
        for (int status : new int[] {400, 404, 413, 422}) {
            upstream.reset();
            upstream.always(Fault.status(status).json(vendorError("vendor refuses the request (" + status + ")",
                    "invalid_request_error", "vendor_code_" + status)));

            HttpResponse<String> response = chat("strict", false);

            JsonNode error = assertError(response, status, "invalid_request_error", "vendor_code_" + status);
            assertEquals("vendor refuses the request (" + status + ")", error.path("message").asText());
            assertAttempts(response, 1);
            settled(1);
        }
    }

    @Test
    void htmlWithStatus200IsRetriedOnceThen502InvalidResponse() {
        upstream.always(Fault.status(200).html("<html><body>Service temporarily in maintenance</body></html>"));

        HttpResponse<String> response = chat("html", false);

        assertError(response, 502, "server_error", "upstream_invalid_response");
        assertAttempts(response, 2);
        assertEquals(2, Set.copyOf(upstream.tokens()).size(), "the one retry on another token");
        settled(2);
    }

    @Test
    void redirectsAreNeverFollowedNorRetriedOnTheSamePlatform() {
        String elsewhere = upstream.uri("/followed/v1/chat/completions").toString();
        for (int status : new int[] {301, 302, 307}) {
            upstream.reset();
            upstream.always(Fault.redirect(status, elsewhere));

            HttpResponse<String> response = chat("moved", false);

            assertError(response, 502, "server_error", "upstream_unexpected_redirect");
            assertFalse(response.body().contains("followed"), "the Location never reaches the caller");
            assertAttempts(response, 1);
            settled(1);
            assertEquals("/moved/v1/chat/completions", upstream.attempts().get(0).path(), "never followed");
        }
    }

    // ---- streams: before and after the commit point ----

    @Test
    void streamWithAnErrorEventBeforeContentIsRetriedAndTheClientSeesOnlyTheGoodStream() {
        upstream.enqueue(Fault.sse().event(roleChunk())
                        .event("{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\","
                                + "\"param\":null,\"code\":null}}"),
                Fault.sse().event(roleChunk()).event(contentChunk("good")).event(finishChunk()).done());

        HttpResponse<String> response = chat("streams", true);

        assertEquals(200, response.statusCode(), response.body());
        List<String> events = Api.dataEvents(response.body());
        assertFalse(response.body().contains("error"), response.body());
        assertTrue(response.body().contains("good"), response.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        assertAttempts(response, 2);
        assertEquals(2, Set.copyOf(upstream.tokens()).size());
        settled(2);
    }

    @Test
    void streamResetAfterContentEndsWithAnInBandErrorAfterExactlyOneAttempt() throws Exception {
        assertInterrupted(streamCutAfterContent(true), List.of("upstream_stream_interrupted"));
        settled(1);
    }

    @Test
    void streamCutWithFinAfterContentEndsWithAnInBandErrorAfterExactlyOneAttempt() throws Exception {
        // FIN inside a chunked body is a broken connection to httpcore; a clean end without [DONE] is reported as
        // truncated by the translator. Either is the promised in-band error.
        assertInterrupted(streamCutAfterContent(false),
                List.of("upstream_stream_interrupted", "upstream_stream_truncated"));
        settled(1);
    }

    /**
     * A stream whose upstream sends content, waits until the client has received it (so the cut is certainly after
     * commit: an RST right behind the data could make the kernel drop data the gateway had not read yet), then
     * resets or closes. Returns the client's response with the whole body.
     */
    private record Streamed(int status, HttpHeaders headers, String body) {}

    private Streamed streamCutAfterContent(boolean reset) throws Exception {
        CountDownLatch clientHasContent = new CountDownLatch(1);
        upstream.always(connection -> {
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n");
            for (String event : List.of(roleChunk(), contentChunk("one"), contentChunk("two"), contentChunk("three"))) {
                connection.chunk(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            Await.latch("the client received the content", clientHasContent);
            if (reset) {
                connection.reset();
            } else {
                connection.fin();
            }
        });
        HttpResponse<InputStream> response = STREAMING_CLIENT.send(api().request("/streams/v1/chat/completions",
                Canaries.LICENSE_ALL).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.chat(MODEL, true, "hi"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        StringBuilder body = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                body.append(line).append('\n');
                if (line.contains("three")) {
                    clientHasContent.countDown();
                }
            }
        } finally {
            clientHasContent.countDown();
        }
        return new Streamed(response.statusCode(), response.headers(), body.toString());
    }

    // ---- token health over several requests ----

    @Test
    void threeConsecutiveFailuresEjectATokenAndLaterRequestsSkipIt() {
        upstream.onToken("eject-a", Fault.status(500).json(vendorError("broken", "server_error", null)))
                .onToken("eject-b", ok("from b")).onToken("eject-c", ok("from c"));

        int requests = 0;
        while (count(upstream.tokens(), "eject-a") < 3) {
            assertTrue(++requests <= 10, "eject-a should have been tried three times by now: " + upstream.tokens());
            HttpResponse<String> response = chat("eject", false);
            assertEquals(200, response.statusCode(), response.body());
        }
        int before = upstream.attempts().size();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = chat("eject", false);
            assertEquals(200, response.statusCode(), response.body());
            assertAttempts(response, 1);
        }
        List<String> after = upstream.tokens().subList(before, before + 4);
        assertFalse(after.contains("eject-a"), "the ejected token is skipped: " + after);
        assertEquals(Set.of("eject-b", "eject-c"), Set.copyOf(after), "the others still take turns");
        settled(before + 4);
    }

    @Test
    void aWholePoolIsNeverEjectedTheLeastRecentlyFailedTokenStillGetsTheRequest() {
        upstream.always(Fault.status(503).json(vendorError("down", "server_error", null)));

        HttpResponse<String> failed = chat("doomed", false);

        assertError(failed, 503, "server_error", "upstream_error");
        assertAttempts(failed, 3);
        List<String> failures = upstream.tokens();
        assertEquals(Set.of("doomed-a", "doomed-b"), Set.copyOf(failures), "every token failed, so every one ejected");

        upstream.always(ok("still served"));
        String leastRecentlyFailed = failures.lastIndexOf("doomed-a") < failures.lastIndexOf("doomed-b")
                ? "doomed-a" : "doomed-b";
        HttpResponse<String> lastResort = chat("doomed", false);

        assertEquals(200, lastResort.statusCode(), lastResort.body());
        assertContent(lastResort, "still served");
        assertAttempts(lastResort, 1);
        assertEquals(leastRecentlyFailed, upstream.tokens().get(3));

        // Its success re-admitted it; the other token is still ejected and not tried.
        HttpResponse<String> next = chat("doomed", false);
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(leastRecentlyFailed, upstream.tokens().get(4));
        settled(5);
    }

    // ---- failover to the next platform of a router ----

    @Test
    void aRouterFailsOverToTheNextPlatformWhenTheFirstOnesTokensAllFailBeforeCommit() {
        upstream.route(attempt -> attempt.path().startsWith("/primary/")
                ? Fault.status(503).json(vendorError("primary down", "server_error", null)) : null)
                .always(ok("from secondary"));

        HttpResponse<String> response = chat("failover", false);

        assertEquals(200, response.statusCode(), response.body());
        assertContent(response, "from secondary");
        assertAttempts(response, 3);
        assertEquals("secondary#1", upstreamAlias(response));
        List<FaultAttempt> attempts = upstream.attempts();
        assertEquals(List.of("/primary/v1/chat/completions", "/primary/v1/chat/completions",
                "/secondary/v1/chat/completions"), attempts.stream().map(FaultAttempt::path).toList());
        assertEquals(List.of("primary-a", "primary-b", "secondary-a"), upstream.tokens().stream().sorted().toList());
        settled(3);

        // A redirect condemns the first platform's endpoint at once: no second token there, straight to the next.
        upstream.reset();
        upstream.route(attempt -> attempt.path().startsWith("/primary/")
                ? Fault.redirect(302, upstream.uri("/followed/v1").toString()) : null).always(ok("from secondary"));
        HttpResponse<String> redirected = chat("failover", false);

        assertEquals(200, redirected.statusCode(), redirected.body());
        assertAttempts(redirected, 2);
        assertEquals("secondary#1", upstreamAlias(redirected));
        assertEquals(List.of("/primary/v1/chat/completions", "/secondary/v1/chat/completions"),
                upstream.attempts().stream().map(FaultAttempt::path).toList());
        settled(2);
    }

    // ---- the client leaves ----

    // Before commit the gateway has nothing to write, and once the request body is read no container (Tomcat 10.1,
    // Jetty 12, WildFly 39) reports a client that closes its connection: only the gateway's ClientProbe, which
    // looks the connection up in the kernel's socket tables, notices it. These tests found that gap.

    @Test
    void aStreamingClientLeavingDuringASlowFirstByteStopsEverything() {
        clientLeavesWhileTheUpstreamIsSilent(true, Fault.stall());
    }

    @Test
    void aClientLeavingDuringASlowFirstByteStopsEverything() {
        clientLeavesWhileTheUpstreamIsSilent(false, Fault.stall());
    }

    /** Upstream headers and a role-only event are no content: they wait in the startup buffer, uncommitted. */
    @Test
    void aStreamingClientLeavingWhileItsFirstEventsAreHeldBeforeCommitStopsEverything() {
        clientLeavesWhileTheUpstreamIsSilent(true, Fault.sse().event(roleChunk()).thenStall());
    }

    /**
     * A reset rather than FIN, after a scan of the socket tables has seen the connection established; a connection
     * the probe has never seen is not called gone for being absent (it may be a front proxy's address), so an RST
     * before the first scan is not noticed before the attempt ends.
     */
    @Test
    void aClientResettingItsConnectionDuringASlowFirstByteStopsEverything() {
        clientLeavesWhileTheUpstreamIsSilent(false, Fault.stall(), true);
    }

    /**
     * RELIABILITY.md "client went away: stop at once", between attempts: a 500 starts a backoff (made long by the
     * platform's config, so the test can see it under way), the client hangs up, and the gateway must cancel the
     * backoff, complete the request and make no further attempt. The backoff is a task on the gateway's timer, so
     * an empty timer afterwards is the proof that no attempt is still scheduled (waiting out the backoff is not an
     * option); the access line is the proof that the container completed the request's async context.
     */
    @Test
    void aClientLeavingDuringTheBackoffBetweenAttemptsStopsEverything() {
        upstream.always(Fault.status(500).json(vendorError("The server had an error.", "server_error", null)));
        URI base = URI.create(deployment.toString());
        RawStream client = RawStream.open(base, RawStream.post(base, "/patient/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat(MODEL, false, "hi")), 0);
        try {
            upstream.awaitRequest(0).awaitClientEnd(CLIENT_END); // the 500 was read whole: the gateway closed it
            // The request is in flight with nothing upstream: it waits in the backoff. (Should the jitter draw a wait
            // too short to see, the next attempt fails the same way and its own backoff is seen instead.)
            Await.until("a backoff under way", () -> {
                JsonNode stats = Leaks.stats(api());
                return stats.path("requestsInFlight").asInt() == 2 // this one and the stats request itself
                        && stats.path("upstreamExchanges").asInt() == 0;
            });
        } finally {
            client.close(); // FIN: the probe notices it within about a second
        }
        int attemptsBeforeLeaving = upstream.attempts().size();

        // The gateway let the request go: only the stats request itself is in flight, and the container completed it
        // (the access line is written from AsyncListener.onComplete).
        Await.until("the request ended", () -> Leaks.stats(api()).path("requestsInFlight").asInt() == 1);
        String requestId = GatewayLog.requestIdFrom(client.localPort());
        String access = GatewayLog.accessLine(requestId);
        assertTrue(access.contains("attempts=" + attemptsBeforeLeaving), access);
        // No attempt is scheduled any more: nothing on the timer but its keeper, which the stats do not count.
        Await.until("no timer task left", () -> Leaks.stats(api()).path("timerTasks").asInt(-1) == 0);
        settled(attemptsBeforeLeaving);
    }

    private void clientLeavesWhileTheUpstreamIsSilent(boolean stream, Fault silence) {
        clientLeavesWhileTheUpstreamIsSilent(stream, silence, false);
    }

    private void clientLeavesWhileTheUpstreamIsSilent(boolean stream, Fault silence, boolean reset) {
        upstream.always(silence);
        long scans = Leaks.stats(api()).path("clientProbeScans").asLong();
        URI base = URI.create(deployment.toString());
        long sent = System.nanoTime();
        RawStream client = RawStream.open(base, RawStream.post(base, "/stalled/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat(MODEL, stream, "hi")), 0);
        FaultAttempt attempt = upstream.awaitRequest(0);

        if (reset) {
            // Only this request is uncommitted, so the next read of the socket tables has seen its connection.
            Await.until("a scan of the socket tables", () -> Leaks.stats(api()).path("clientProbeScans").asLong() > scans,
                    NOTICED);
            client.reset();
        } else {
            client.close();
        }

        try {
            // Only the client's leaving can end the attempt this early: the first-byte timeout is further out.
            attempt.awaitClientEnd(NOTICED);
            long endedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertTrue(endedAfterMs < STALLED_MS, "the attempt ended after " + endedAfterMs
                    + " ms: the first-byte timeout, not the client's leaving, ended it");
        } finally {
            // Missed or not, let the attempt end here rather than under the next test's reset (which would look
            // like a reset before headers to a gateway that still thinks the client is there).
            attempt.awaitClientEnd(Duration.ofMillis(STALLED_MS).plus(CLIENT_END));
        }
        settled(1);
    }

    // ---- helpers ----

    private Api api() {
        return new Api(deployment);
    }

    private HttpResponse<String> chat(String prefix, boolean stream) {
        return api().post("/" + prefix + "/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat(MODEL, stream, "hi"));
    }

    /**
     * The end of every test: nothing in flight, no connection leased, and no attempt beyond the ones the test
     * expected (an attempt after the answer, a retry after commit, would show here).
     */
    private void settled(int upstreamAttempts) {
        Leaks.awaitNone(api());
        assertEquals(upstreamAttempts, upstream.attempts().size(), () -> "attempts " + upstream.attempts());
    }

    private static JsonNode assertError(HttpResponse<String> response, int status, String type, String code) {
        JsonNode error = Errors.assertError(response, status, code);
        assertEquals(type, error.path("type").asText(), response.body());
        assertFalse(response.body().matches("(?s).*\\b[a-z]+-[abc]\\b.*"), "no vendor token in " + response.body());
        return error;
    }

    /** The attempts header; with attempts, the alias header names a token alias, never a token. */
    private static void assertAttempts(HttpResponse<String> response, int attempts) {
        assertAttempts(response.headers(), response.body(), attempts);
    }

    private static void assertAttempts(HttpHeaders headers, String body, int attempts) {
        String header = headers.firstValue("x-switchboard-attempts").orElse("0");
        assertEquals(Integer.toString(attempts), header, () -> "x-switchboard-attempts; " + body);
        if (attempts > 0) {
            assertTrue(headers.firstValue("x-switchboard-upstream").orElse("").matches("[a-z]+#[0-9]+"),
                    "an alias: " + headers.map());
        }
    }

    private static String upstreamAlias(HttpResponse<String> response) {
        return response.headers().firstValue("x-switchboard-upstream").orElse("");
    }

    private static void assertContent(HttpResponse<String> response, String content) {
        assertEquals(content, Api.json(response.body()).path("choices").path(0).path("message").path("content")
                .asText(), response.body());
    }

    /** Committed stream: the content that came, one in-band error with one of {@code codes}, no [DONE], 1 attempt. */
    private void assertInterrupted(Streamed response, List<String> codes) {
        assertEquals(200, response.status(), response.body());
        List<String> events = Api.dataEvents(response.body());
        String joined = String.join("\n", events);
        assertTrue(joined.contains("one") && joined.contains("two") && joined.contains("three"), joined);
        assertFalse(events.contains("[DONE]"), "no [DONE] after an interrupted stream: " + joined);
        JsonNode error = Api.json(events.get(events.size() - 1)).path("error");
        assertTrue(codes.contains(error.path("code").asText()), joined);
        assertEquals("server_error", error.path("type").asText(), joined);
        assertEquals(1, events.stream().filter(event -> event.contains("\"error\"")).count(), joined);
        assertAttempts(response.headers(), response.body(), 1);
    }

    private static int count(List<String> tokens, String token) {
        return (int) tokens.stream().filter(token::equals).count();
    }

    private static Fault rateLimited(String header, String value) {
        return Fault.status(429).header(header, value)
                .json(vendorError("Rate limit reached for requests.", "requests", "rate_limit_exceeded"));
    }

    private static Fault ok(String content) {
        return Fault.status(200).json("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + content + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}");
    }

    private static String vendorError(String message, String type, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }

    private static String roleChunk() {
        return chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null");
    }

    private static String contentChunk(String content) {
        return chunk("{\"content\":\"" + content + "\"}", "null");
    }

    private static String finishChunk() {
        return chunk("{}", "\"stop\"");
    }

    private static String chunk(String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + MODEL
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}";
    }
}
