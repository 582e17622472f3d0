package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Platforms with {@code "http2": true} through the deployed WAR, against h2c fake upstreams ({@link H2Upstream}):
 * whole answers and streams arrive as over HTTP/1.1, every exchange of the class rides one upstream connection, a
 * client that leaves resets its own upstream stream and no other, and a stream silent past the idle timeout ends with
 * the in-band error and is reset alone.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class Http2UpstreamIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long IDLE_MS = 1000;
    private static final String COMPLETION = """
            {"id":"chatcmpl-h2","object":"chat.completion","created":1767225600,"model":"gpt-4o",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"over h2","refusal":null},"logprobs":null,\
            "finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";

    /** Answers "whole" at once; every other request is a stream the test drives. */
    static final H2Upstream upstream = H2Upstream.start(1000, stream -> {
        if (stream.body().contains("\"whole\"")) {
            stream.json(200, COMPLETION);
        } else {
            stream.startSse();
        }
    });
    /** Behind the platform with a short idle timeout: a host of its own, since timeouts are per upstream host. */
    static final H2Upstream sleepyUpstream = H2Upstream.start(1000, H2Upstream.Stream::startSse);

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        new FaultConfig()
                .platform("h2", "http://127.0.0.1:" + upstream.port() + "/v1", 1, FaultConfig.FAST,
                        ", \"http2\": true, \"timeouts\": { \"heartbeatMs\": " + ItConfig.HEARTBEAT_MS + " }")
                .platform("h2sleepy", "http://127.0.0.1:" + sleepyUpstream.port() + "/v1", 1, FaultConfig.FAST,
                        ", \"http2\": true, \"timeouts\": { \"idleMs\": " + IDLE_MS + " }")
                .write();
        return Deployments.war();
    }

    @AfterAll
    static void stopUpstreams() {
        upstream.close();
        sleepyUpstream.close();
    }

    private static String chunk(String content) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}";
    }

    private RawStream openStream(String platform, String userText) {
        URI base = URI.create(deployment.toString());
        return RawStream.open(base, RawStream.post(base, "/" + platform + "/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, userText)), 0);
    }

    @Test
    void aWholeAnswerComesBackOverHttp2() {
        int index = upstream.requestCount();
        HttpResponse<String> response = new Api(deployment).post("/h2/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o", false, "whole"));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("over h2",
                Api.json(response.body()).path("choices").path(0).path("message").path("content").asText());
        H2Upstream.Stream stream = upstream.awaitStream(index, WAIT);
        assertEquals("/v1/chat/completions", stream.path());
        assertEquals("Bearer h2-a", stream.header("Authorization"));
        Leaks.awaitNone(new Api(deployment));
    }

    @Test
    void aStreamArrivesEventByEventOverHttp2() {
        int index = upstream.requestCount();
        try (RawStream client = openStream("h2", "stream please")) {
            H2Upstream.Stream stream = upstream.awaitStream(index, WAIT);
            stream.event(chunk("first"));
            String soFar = client.readUntil("first", 1, WAIT);
            assertFalse(soFar.contains("second"));
            assertFalse(stream.hasEnded(), "the first event arrived while the upstream response was still open");
            stream.event(chunk("second"));
            stream.event("[DONE]");
            stream.end();
            String all = client.readUntil("[DONE]", 1, WAIT);
            assertTrue(all.indexOf("first") < all.indexOf("second"), all);
        }
        Leaks.awaitNone(new Api(deployment));
    }

    @Test
    void aClientThatLeavesResetsOnlyItsOwnUpstreamStream() {
        int index = upstream.requestCount();
        int resetsBefore = upstream.resetsReceived();
        RawStream leaving = openStream("h2", "leaving");
        try (RawStream staying = openStream("h2", "staying")) {
            H2Upstream.Stream first = upstream.awaitStream(index, WAIT);
            H2Upstream.Stream second = upstream.awaitStream(index + 1, WAIT);
            // Which client's request arrived first is up to the gateway's threads; the body says.
            H2Upstream.Stream leavingStream = first.body().contains("leaving") ? first : second;
            H2Upstream.Stream stayingStream = leavingStream == first ? second : first;
            leavingStream.event(chunk("to-leaver"));
            stayingStream.event(chunk("to-stayer"));
            leaving.readUntil("to-leaver", 1, WAIT);
            staying.readUntil("to-stayer", 1, WAIT);

            leaving.close();
            // The upstream keeps streaming, as a real one would; the gateway notices the client is gone (a failed
            // write or the heartbeat) and resets the stream, at the latest with the stream's next frame.
            Await.until("the leaving client's upstream stream reset", () -> {
                if (!leavingStream.wasReset()) {
                    leavingStream.event(chunk("tick"));
                }
                return leavingStream.wasReset();
            }, WAIT);

            assertFalse(stayingStream.wasReset(), "the sibling stream was reset too");
            stayingStream.event(chunk("still-here"));
            stayingStream.event("[DONE]");
            stayingStream.end();
            String rest = staying.readUntil("[DONE]", 1, WAIT);
            assertTrue(rest.contains("still-here"), rest);
        }
        assertEquals(resetsBefore + 1, upstream.resetsReceived(), "exactly one stream was reset");
        assertEquals(1, upstream.connectionsAccepted(), "every exchange of this class rode one connection");
        Leaks.awaitNone(new Api(deployment));
    }

    @Test
    void aStreamSilentPastTheIdleTimeoutEndsWithAnInBandErrorAndIsReset() {
        int index = sleepyUpstream.requestCount();
        try (RawStream client = openStream("h2sleepy", "then silence")) {
            H2Upstream.Stream stream = sleepyUpstream.awaitStream(index, WAIT);
            stream.event(chunk("said"));
            String body = client.readToEnd(WAIT);
            List<String> events = Api.dataEvents(body);
            assertEquals(2, events.size(), body);
            assertEquals("upstream_idle_timeout", Api.json(events.get(1)).path("error").path("code").asText(), body);
            // Its stream is reset (httpcore sends the reset with the stream's next inbound frame); the connection
            // stays up for other streams.
            stream.event(chunk("too-late"));
            stream.awaitReset(WAIT);
        }
        assertEquals(1, sleepyUpstream.connectionsAccepted());
        Leaks.awaitNone(new Api(deployment));
    }
}
