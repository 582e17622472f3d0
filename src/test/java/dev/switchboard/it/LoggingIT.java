package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The logs: one access line per request that describes it; and (RELIABILITY.md, security must 1) with debug logging
 * on (the build sets {@code switchboard.log.level=debug}), traffic that carries every kind of secret — licenses good, bad and expired, keys in the query string, vendor
 * tokens echoed back in upstream errors, a caller's own vendor token (Chat2API pass-through), failing and streaming
 * exchanges — leaves none of them in the log file.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LoggingIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    @Test
    void noCanaryReachesTheLog() {
        Path log = GatewayLog.file();
        long linesBefore = GatewayLog.accessLineCount();
        Api api = new Api(deployment);
        String chat = Api.chat("gpt-4o", false, "hello");
        upstream.route(request -> request.path().endsWith("/chat/completions")
                ? Reply.status(401).json("{\"error\":{\"message\":\"Incorrect API key provided: "
                        + request.header("Authorization").orElse("") + "\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":\"invalid_api_key\"}}")
                : null);
        api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, chat);
        api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "hello"));
        api.post("/fake/v1/chat/completions", Canaries.UNKNOWN_KEY, chat);
        api.post("/fake/v1/chat/completions", Canaries.LICENSE_EXPIRED, chat);
        api.post("/fake/v1/chat/completions?key=" + Canaries.LICENSE_MOCK_ONLY, Canaries.LICENSE_ALL, chat);
        api.post("/refused/v1/chat/completions", Canaries.LICENSE_ALL, chat);
        api.post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ONLY, Api.chat("mock-echo", true, "hi"));
        api.post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                "{\"model\":\"" + Canaries.UNKNOWN_KEY + "\",\"messages\":[{\"role\":\"user\"}]}");
        api.send(api.request("/" + Canaries.UNKNOWN_KEY + "/v1/models", Canaries.LICENSE_ALL).GET().build());
        api.send(api.request("/fake/v1/chat/completions", Canaries.LICENSE_ALL)
                .header("Content-Type", "application/json")
                .header("Tokens-Authorization", Canaries.LICENSE_MOCK_ONLY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + Canaries.LICENSE_MOCK_ONLY)).build());
        // Chat2API pass-through: the caller's own vendor token goes upstream, whose 401 echoes it back (relayed
        // verbatim to the caller, never logged); then the same token with a license that does not exist.
        for (String license : java.util.List.of(Canaries.LICENSE_ALL, Canaries.UNKNOWN_KEY)) {
            for (boolean stream : new boolean[] {false, true}) {
                api.send(api.request("/fake/v1/chat/completions", Canaries.CALLER_VENDOR_TOKEN)
                        .header("Tokens-Authorization", license).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Api.chat("gpt-4o", stream, "hello"))).build());
            }
        }

        // The access lines of the requests above prove the log is being written to, so the check below means
        // something; they are written when each request completes.
        Await.until("access lines in " + log, () -> GatewayLog.accessLineCount() >= linesBefore + 14, Duration.ofSeconds(10));
        String text = GatewayLog.text();
        assertTrue(text.contains(" DEBUG "), "debug logging must be on for this test to mean anything");
        for (String secret : Canaries.all()) {
            assertFalse(text.contains(secret), "secret found in " + log);
            assertFalse(text.contains(Canaries.sha256(secret)), "secret digest found in " + log);
        }
    }

    @Test
    void oneAccessLinePerRequestDescribesIt() {
        upstream.enqueue(Reply.status(200).json("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,"
                + "\"completion_tokens\":7,\"total_tokens\":18}}"));
        var response = new Api(deployment).post("/fake/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "log me"));
        String line = GatewayLog.accessLineOf(response);
        for (String field : java.util.List.of("caller=it-all", "mode=license", "platform=fake", "model=gpt-4o ",
                "status=200", "upstream_status=200", "duration_ms=", "ttfb_ms=", "prompt_tokens=11",
                "completion_tokens=7", "total_tokens=18")) {
            assertTrue(line.contains(field), () -> "'" + field + "' missing from: " + line);
        }
    }
}
