package dev.switchboard.usage;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * First filter on every request: creates its {@link AccessRecord}, sets {@code x-request-id} (the OpenAI SDKs expose
 * it to callers for support requests) and logs requests that never went asynchronous.
 */
public final class AccessLogFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain)
            throws IOException, ServletException {
        AccessRecord record = new AccessRecord();
        clientRequest.setAttribute(AccessRecord.ATTRIBUTE, record);
        clientResponse.setHeader("x-request-id", record.requestId());
        try {
            chain.doFilter(clientRequest, clientResponse);
        } finally {
            if (!record.isAsync()) {
                AccessLog.write(record, clientResponse.getStatus());
            }
        }
    }
}
