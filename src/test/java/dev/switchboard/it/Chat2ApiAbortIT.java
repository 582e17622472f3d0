package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pass-through stream that fails after it began is cut, not ended: at the socket level the chunked body stops
 * without its terminating chunk (issue #4), on every container, through each container's own abort
 * ({@code ConnectionAbort}). Managed mode, for contrast, ends the same failure with an in-band error and a clean end.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class Chat2ApiAbortIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    private static final String LAST_CHUNK = "\r\n0\r\n\r\n";
    private static final String EVENT_1 = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"half\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}";

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    /** Event 1, then the upstream connection drops once the test has seen event 1 reach the client. */
    private static Reply halfAStream(CountDownLatch clientHasEvent1) {
        return Reply.sse().event(EVENT_1).await(clientHasEvent1).abort();
    }

    @Test
    void aPassThroughStreamThatFailsAfterItBeganEndsWithoutItsLastChunk() {
        CountDownLatch seen = new CountDownLatch(1);
        upstream.enqueue(halfAStream(seen));
        URI base = URI.create(deployment.toString());
        String requestId;
        try (RawStream client = RawStream.open(base, RawStream.post(base, "/fake/v1/chat/completions",
                Canaries.CALLER_VENDOR_TOKEN, Api.chat("gpt-4o", true, "cut me"),
                "Tokens-Authorization: " + Canaries.LICENSE_ALL), 0)) {
            client.readUntil("\"half\"", 1, Duration.ofSeconds(20));
            seen.countDown();
            client.readToEnd(Duration.ofSeconds(20)); // returns at EOF or reset: the abort
            String raw = client.text();
            assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
            assertTrue(raw.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), raw);
            assertFalse(raw.endsWith(LAST_CHUNK), () -> "the stream ended cleanly:\n" + raw);
            assertFalse(client.body().contains("\"error\""), () -> "in-band error instead of an abort:\n" + raw);
            assertFalse(client.body().contains("[DONE]"), raw);
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("(?i)x-request-id: *(\\S+)").matcher(raw);
            assertTrue(id.find(), raw);
            requestId = id.group(1);
        }
        assertEquals(1, upstream.requestCount());
        String line = GatewayLog.accessLine(requestId);
        assertTrue(line.contains("mode=pass-through") && line.contains("error=upstream_stream_interrupted"), line);
    }

    @Test
    void theSdkSeesTheCutAsAnErrorNotAsAShortAnswer() {
        CountDownLatch seen = new CountDownLatch(1);
        upstream.enqueue(halfAStream(seen));
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(deployment + "fake/v1")
                .apiKey(Canaries.CALLER_VENDOR_TOKEN).putHeader("Tokens-Authorization", Canaries.LICENSE_ALL)
                .maxRetries(0).build();
        List<String> contents = new ArrayList<>();
        assertThrows(RuntimeException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("cut me").build())) {
                stream.stream().forEach(chunk -> {
                    chunk.choices().forEach(choice -> choice.delta().content().ifPresent(contents::add));
                    seen.countDown();
                });
            }
        });
        assertEquals(List.of("half"), contents);
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void managedModeEndsTheSameFailureWithAnInBandErrorAndACleanEnd() {
        CountDownLatch seen = new CountDownLatch(1);
        upstream.enqueue(halfAStream(seen));
        URI base = URI.create(deployment.toString());
        try (RawStream client = RawStream.open(base, RawStream.post(base, "/fake/v1/chat/completions",
                Canaries.LICENSE_ALL, Api.chat("gpt-4o", true, "cut me")), 0)) {
            client.readUntil("\"half\"", 1, Duration.ofSeconds(20));
            seen.countDown();
            client.readToEnd(Duration.ofSeconds(20));
            assertTrue(client.text().endsWith(LAST_CHUNK), client::text);
            assertTrue(client.body().contains("upstream_stream_interrupted"), client::text);
        }
    }
}
