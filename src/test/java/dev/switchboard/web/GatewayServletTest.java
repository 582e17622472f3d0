package dev.switchboard.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The servlet's request handling is covered by the integration tests; here only its media-type rule. */
class GatewayServletTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "application/json",
        "Application/JSON",
        " application/json ",
        "application/json;",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "application/json;charset=\"UTF-8\"",
        "application/json; charset=utf8",
        "application/json; charset = utf-8",
        "application/json; foo=bar",
    })
    void jsonIsAccepted(String contentType) {
        assertDoesNotThrow(() -> GatewayServlet.requireJson(contentType));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {
        "",
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json-patch+json",
        "application/jsonx",
        "application/json5",
        "application/ json",
        "application/json; charset=latin1",
        "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16",
        "application/json; charset=utf-8x",
        "application/json; charset=",
        "application/json; charset",
        "application/json, text/plain",
    })
    void otherMediaTypesAreUnsupported(String contentType) {
        ApiError error = assertThrows(ApiException.class, () -> GatewayServlet.requireJson(contentType)).error();

        assertEquals(415, error.status());
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertEquals("unsupported_media_type", error.code());
    }
}
