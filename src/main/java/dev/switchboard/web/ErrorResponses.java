package dev.switchboard.web;

import dev.switchboard.openai.ApiError;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes an {@link ApiError} on a synchronous (not async) request; small bodies only. */
final class ErrorResponses {
    private ErrorResponses() {}

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
