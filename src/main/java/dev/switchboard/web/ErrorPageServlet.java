package dev.switchboard.web;

import dev.switchboard.openai.ApiError;
import dev.switchboard.usage.AccessRecord;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The WAR's error page for everything the container itself rejects or fails on: OpenAI-shaped JSON instead of the
 * container's HTML, with no exception text, stack trace or server banner.
 */
public final class ErrorPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LogManager.getLogger(ErrorPageServlet.class);

    @Override
    protected void service(HttpServletRequest clientRequest, HttpServletResponse clientResponse) throws IOException {
        boolean committed = clientResponse.isCommitted();
        if (LOG.isDebugEnabled()) {
            // Which request the container sent here: the gateway answers its own requests itself, so under load an
            // error page names a request the container thought nobody had ended (SoakIT counts these).
            Object record = clientRequest.getAttribute(AccessRecord.ATTRIBUTE);
            LOG.debug("error page for request_id={} (committed: {})",
                    record instanceof AccessRecord access ? access.requestId() : "-", committed);
        }
        if (committed) {
            // An error dispatch after the status line left (a container reporting a broken stream): there is no
            // status to set, and an error body inside an SSE stream would corrupt it. The container ends it.
            return;
        }
        Object code = clientRequest.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer number ? number : 500;
        clientResponse.resetBuffer();
        ErrorResponses.write(clientResponse, forStatus(status));
    }

    static ApiError forStatus(int status) {
        return switch (status) {
            case 400 -> ApiError.invalidRequest(400, "invalid_request", null, "The request could not be understood.");
            case 401 -> ApiError.invalidApiKey();
            case 404 -> ApiError.invalidRequest(404, "unknown_url", null, "Unknown URL.");
            case 405 -> ApiError.invalidRequest(405, "method_not_allowed", null, "Method not allowed.");
            case 408 -> ApiError.invalidRequest(408, "request_timeout", null, "The request was not sent in time.");
            case 413 -> ApiError.invalidRequest(413, "request_too_large", null, "The request is too large.");
            case 414 -> ApiError.invalidRequest(414, "uri_too_long", null, "The request URI is too long.");
            case 415 -> ApiError.invalidRequest(415, "unsupported_media_type", null,
                    "Send the request body as 'Content-Type: application/json'.");
            case 431 -> ApiError.invalidRequest(431, "headers_too_large", null, "The request headers are too large.");
            case 503 -> ApiError.server(503, "service_unavailable", "The gateway is not available right now.");
            default -> status >= 400 && status < 500
                    ? ApiError.invalidRequest(status, "invalid_request", null, "The request was rejected.")
                    : ApiError.server(500, "internal_error", "The gateway failed to handle the request.");
        };
    }
}
