package dev.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.web.ApiPath.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiPathTest {

    // --- the two endpoints

    @Test
    void chatCompletionsAtTheRoot() throws ApiException {
        assertEquals(new ApiPath("mock", Endpoint.CHAT_COMPLETIONS), ApiPath.parse("/mock/v1/chat/completions", ""));
    }

    @Test
    void modelsAtTheRoot() throws ApiException {
        assertEquals(new ApiPath("deepseek", Endpoint.MODELS), ApiPath.parse("/deepseek/v1/models", ""));
    }

    @Test
    void chatCompletionsUnderAContextPath() throws ApiException {
        assertEquals(new ApiPath("mock", Endpoint.CHAT_COMPLETIONS),
                ApiPath.parse("/switchboard/mock/v1/chat/completions", "/switchboard"));
    }

    @Test
    void modelsUnderAContextPath() throws ApiException {
        assertEquals(new ApiPath("openai", Endpoint.MODELS), ApiPath.parse("/gw/openai/v1/models", "/gw"));
    }

    @Test
    void contextPathIsNotMistakenForThePlatform() throws ApiException {
        assertEquals("v1", ApiPath.parse("/mock/v1/v1/models", "/mock").platform());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "qwen-2.5", "my_platform", "a.b-c_d", "x23456789012345678901234567890123456789012345678901234567890123"})
    void platformSegmentsThatAreAccepted(String platform) throws ApiException {
        assertEquals(platform, ApiPath.parse("/" + platform + "/v1/models", "").platform());
    }

    // --- not in canonical form: 400 before anything is looked up

    @ParameterizedTest
    @ValueSource(strings = {
        "/mock/v1/chat/%2e%2e/completions",
        "/mock/v1/chat%2Fcompletions",
        "/mock/v1/chat%2fcompletions",
        "/%6dock/v1/models",
        "/mock/v1/models;jsessionid=x",
        "/mock;x=1/v1/models",
        "/mock//v1/models",
        "//mock/v1/models",
        "/mock/v1/models//",
        "/mock/./v1/models",
        "/./mock/v1/models",
        "/other/../mock/v1/models",
        "/mock/v1/models/..",
        "/mock/v1/models/.",
        "/mock\\v1/models",
        "/mock/v1\\chat/completions",
    })
    void nonCanonicalPathsAreInvalid(String path) {
        ApiError error = rejected(path, "");

        assertEquals(400, error.status());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals("invalid_path", error.code());
        assertNull(error.param());
    }

    @Test
    void nonCanonicalPathUnderAContextPathIsInvalid() {
        assertEquals("invalid_path", rejected("/gw/mock/../mock/v1/models", "/gw").code());
    }

    // --- not one of the two endpoints

    @ParameterizedTest
    @ValueSource(strings = {
        "/mock/v1/chat",
        "/mock/v1/models/",
        "/mock/v1/chat/completions/",
        "/mock/v2/models",
        "/mock/v1/completions",
        "/mock/v1/models/gpt-4o",
        "/v1/models",
        "/v1/chat/completions",
        "/mock",
        "/",
        "",
    })
    void otherPathsAreUnknownUrls(String path) {
        ApiError error = rejected(path, "");

        assertEquals(404, error.status());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals("unknown_url", error.code());
    }

    @Test
    void contextPathAloneIsAnUnknownUrl() {
        assertEquals("unknown_url", rejected("/gw", "/gw").code());
    }

    // --- the platform segment

    @ParameterizedTest
    @ValueSource(strings = {
        "Mock",
        "MOCK",
        "x234567890123456789012345678901234567890123456789012345678901234",
        "-mock",
        ".mock",
        "_mock",
        "mo ck",
        "m\u00f6ck",
    })
    void platformSegmentsThatNoPlatformCanHave(String platform) {
        ApiError error = rejected("/" + platform + "/v1/chat/completions", "");

        assertEquals(404, error.status());
        assertEquals("unknown_platform", error.code());
    }

    private static ApiError rejected(String requestUri, String contextPath) {
        return assertThrows(ApiException.class, () -> ApiPath.parse(requestUri, contextPath)).error();
    }
}
