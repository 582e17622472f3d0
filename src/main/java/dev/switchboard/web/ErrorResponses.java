package dev.switchboard.web;

import dev.switchboard.openai.ApiError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes an {@link ApiError} on a synchronous (not async) request; small bodies only. */
public final class ErrorResponses {
    private ErrorResponses() {}

    /**
     * For errors decided before the request body was read. The unread body makes the connection unusable for a next
     * request (Jetty closes it once the response is sent, and a client reusing it gets no answer at all), so the
     * client is told to open a new one.
     */
    public static void writeBeforeBody(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
            ApiError error) throws IOException {
        if (clientRequest.getContentLengthLong() > 0 || clientRequest.getHeader("Transfer-Encoding") != null) {
            clientResponse.setHeader("Connection", "close");
        }
        write(clientResponse, error);
    }

    static void write(HttpServletResponse clientResponse, ApiError error) throws IOException {
        if (clientResponse.isCommitted()) {
            return;
        }
        byte[] body = error.toJson();
        clientResponse.setStatus(error.status());
        clientResponse.setContentType("application/json");
        clientResponse.setContentLength(body.length);
        error.headers().forEach(clientResponse::setHeader);
        clientResponse.getOutputStream().write(body);
    }
}
