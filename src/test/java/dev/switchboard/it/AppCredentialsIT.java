package dev.switchboard.it;

import static dev.switchboard.it.Errors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * App credentials ({@code Authorization: Bearer <appId>:<appKey>}) and model allow-lists through the deployed WAR,
 * with the official Java OpenAI SDK whose {@code apiKey} is the whole {@code appId:appKey}. Every credential failure
 * is the same 401 body, and a model the caller may not use is the same 404 body as a model that does not exist.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AppCredentialsIT {
    @RegisterExtension
    static final FakeUpstream upstream = FakeUpstream.start();

    private static final String APP = Canaries.APP_ID + ":" + Canaries.APP_KEY;

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    static WebArchive deploy() {
        ItConfig.write(upstream);
        return Deployments.war();
    }

    private Api api() {
        return new Api(deployment);
    }

    private OpenAIClient client(String platform, String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(deployment.toString() + platform + "/v1")
                .apiKey(apiKey)
                .maxRetries(0)
                .build();
    }

    private static ChatCompletionCreateParams params(String model, String text) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
    }

    @Test
    void sdkWithAppCredentialsOnTheMockPlatformStreamingAndNot() {
        OpenAIClient client = client("mock", APP);
        ChatCompletion completion = client.chat().completions().create(params("mock-echo", "hello app"));
        assertEquals("hello app", completion.choices().get(0).message().content().orElseThrow());
        completion.validate();

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(params("mock-echo", "streamed for the app"))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertEquals("streamed for the app",
                accumulator.chatCompletion().choices().get(0).message().content().orElseThrow());
    }

    @Test
    void sdkWithAppCredentialsThroughTheUpstreamWhichNeverSeesTheAppKey() {
        upstream.enqueue(Reply.status(200).json("{\"id\":\"chatcmpl-app\",\"object\":\"chat.completion\","
                + "\"created\":1767225600,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"for the app\",\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,"
                + "\"total_tokens\":6}}"));
        OpenAIClient client = client("fake", APP);
        assertEquals("for the app", client.chat().completions().create(params("gpt-4o", "hi"))
                .choices().get(0).message().content().orElseThrow());

        Reply reply = Reply.sse();
        List.of("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Ap\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ps\"},\"logprobs\":null,\"finish_reason\":\"stop\"}]}")
                .forEach(reply::event);
        upstream.enqueue(reply.done());
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(params("gpt-4o", "hi"))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertEquals("Apps", accumulator.chatCompletion().choices().get(0).message().content().orElseThrow());

        assertEquals(2, upstream.requestCount());
        for (RecordedExchange seen : upstream.exchanges()) {
            assertEquals(1, seen.headerValues("Authorization").size(), () -> "headers: " + seen.headers());
            // Only a managed pool token goes upstream (the caller's Authorization never does), and no
            // Tokens-Authorization header (Chat2API's license header) is ever made up.
            String authorization = seen.headerValues("Authorization").get(0);
            assertTrue(authorization.equals("Bearer " + Canaries.VENDOR_TOKEN_A)
                    || authorization.equals("Bearer " + Canaries.VENDOR_TOKEN_B), authorization);
            assertTrue(seen.headerValues("Tokens-Authorization").isEmpty());
            seen.headers().forEach((name, values) -> values.forEach(value -> {
                assertFalse(value.contains(Canaries.APP_KEY), "app key forwarded in " + name);
                assertFalse(value.contains(APP), "app credential forwarded in " + name);
            }));
            assertFalse(seen.bodyText().contains(Canaries.APP_KEY), "app key in the upstream body");
        }
    }

    @Test
    void aModelOutsideTheAllowListIsTheSame404AsAnUnknownModel() {
        // gpt-4o-mini exists on fake but is not in the app's list; on mock it does not exist at all.
        HttpResponse<String> forbidden = api().post("/fake/v1/chat/completions", APP,
                Api.chat("gpt-4o-mini", false, "x"));
        HttpResponse<String> unknownForApp = api().post("/mock/v1/chat/completions", APP,
                Api.chat("gpt-4o-mini", false, "x"));
        HttpResponse<String> unknownForLicense = api().post("/mock/v1/chat/completions", Canaries.LICENSE_ALL,
                Api.chat("gpt-4o-mini", false, "x"));
        assertError(forbidden, 404, "model_not_found");
        assertError(unknownForApp, 404, "model_not_found");
        assertError(unknownForLicense, 404, "model_not_found");
        assertEquals(unknownForLicense.body(), forbidden.body(), "a forbidden model must look like a missing one");
        assertEquals(unknownForLicense.body(), unknownForApp.body());

        // A platform outside the app's list: the same 404 too.
        HttpResponse<String> forbiddenPlatform = api().post("/open/v1/chat/completions", APP,
                Api.chat("gpt-4o-mini", false, "x"));
        assertEquals(unknownForLicense.body(), forbiddenPlatform.body());

        // A license's model allow-list works the same way.
        HttpResponse<String> licenseForbidden = api().post("/fake/v1/chat/completions",
                Canaries.LICENSE_MOCK_ECHO_MODEL, Api.chat("gpt-4o-mini", false, "x"));
        assertEquals(unknownForLicense.body(), licenseForbidden.body());
        assertEquals("mock-echo-ok", Api.json(api().post("/mock/v1/chat/completions", Canaries.LICENSE_MOCK_ECHO_MODEL,
                Api.chat("mock-echo", false, "mock-echo-ok")).body())
                .path("choices").path(0).path("message").path("content").asText());

        NotFoundException sdk = assertThrows(NotFoundException.class,
                () -> client("fake", APP).chat().completions().create(params("gpt-4o-mini", "x")));
        assertEquals(404, sdk.statusCode());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void modelsListsOnlyWhatTheCallerMayUse() {
        assertEquals(List.of("gpt-4o"), modelIds(api().get("/fake/v1/models", APP)));
        assertEquals(List.of("mock-echo"), modelIds(api().get("/mock/v1/models", APP)));
        assertEquals(List.of("gpt-4o", "gpt-4o-mini"), modelIds(api().get("/fake/v1/models", Canaries.LICENSE_ALL)));
        assertEquals(List.of(), modelIds(api().get("/fake/v1/models", Canaries.LICENSE_MOCK_ECHO_MODEL)));
        assertEquals(List.of("mock-echo"), modelIds(api().get("/mock/v1/models", Canaries.LICENSE_MOCK_ECHO_MODEL)));
        assertError(api().get("/claude/v1/models", APP), 404, "unknown_platform");
        assertEquals(List.of("gpt-4o"), client("fake", APP).models().list().data().stream()
                .map(model -> model.id()).toList());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void everyAppCredentialFailureGetsTheSame401BodyAsALicenseFailure() {
        String licenseFailure = api().post("/mock/v1/chat/completions", Canaries.UNKNOWN_KEY,
                Api.chat("mock-echo", false, "x")).body();
        List<String> attempts = List.of(
                "no-such-app:" + Canaries.APP_KEY,              // unknown app
                Canaries.APP_ID + ":" + Canaries.UNKNOWN_KEY,   // wrong key
                Canaries.APP_ID + ":" + Canaries.APP_KEY + "x", // wrong key, one character longer
                Canaries.APP_ID_EXPIRED + ":" + Canaries.APP_KEY, // expired app, right key
                Canaries.APP_ID + ":",                          // empty key
                ":" + Canaries.APP_KEY,                         // empty app id
                Canaries.APP_ID + Canaries.APP_KEY,             // no colon
                Canaries.APP_KEY);                              // the key alone
        List<String> bodies = new ArrayList<>();
        for (String credential : attempts) {
            for (String path : List.of("/mock/v1/chat/completions", "/fake/v1/chat/completions")) {
                HttpResponse<String> response = api().post(path, credential, Api.chat("mock-echo", false, "x"));
                JsonNode error = assertError(response, 401, "invalid_api_key");
                assertEquals("authentication_error", error.path("type").asText());
                assertEquals("Bearer", response.headers().firstValue("WWW-Authenticate").orElse(""));
                bodies.add(response.body());
            }
            HttpResponse<String> models = api().get("/mock/v1/models", credential);
            assertError(models, 401, "invalid_api_key");
            bodies.add(models.body());
        }
        for (String body : bodies) {
            assertEquals(licenseFailure, body, "401 bodies differ by cause");
        }
        UnauthorizedException sdk = assertThrows(UnauthorizedException.class, () -> client("mock",
                Canaries.APP_ID + ":" + Canaries.UNKNOWN_KEY).chat().completions().create(params("mock-echo", "x")));
        assertEquals(401, sdk.statusCode());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void theAccessLineNamesTheAppNeverTheKey() {
        HttpResponse<String> response = api().post("/mock/v1/chat/completions", APP, Api.chat("mock-echo", false, "log"));
        assertEquals(200, response.statusCode(), response::body);
        api().post("/mock/v1/chat/completions", Canaries.APP_ID + ":" + Canaries.UNKNOWN_KEY,
                Api.chat("mock-echo", false, "log"));
        String line = GatewayLog.accessLineOf(response);
        assertTrue(line.contains("caller=app:" + Canaries.APP_ID + " "), line);
        assertTrue(line.contains("mode=app"), line);
        String text = GatewayLog.text();
        assertFalse(text.contains(Canaries.APP_KEY), "app key in " + GatewayLog.file());
        assertFalse(text.contains(Canaries.sha256(Canaries.APP_KEY)), "app key digest in " + GatewayLog.file());
    }

    private static List<String> modelIds(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response::body);
        List<String> ids = new ArrayList<>();
        Api.json(response.body()).path("data").forEach(model -> ids.add(model.path("id").asText()));
        return ids;
    }
}
