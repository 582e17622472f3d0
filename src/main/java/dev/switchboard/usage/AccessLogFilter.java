package dev.switchboard.usage;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * First filter on every request: creates its {@link AccessRecord}, sets {@code x-request-id} (the OpenAI SDKs expose
 * it to callers for support requests) and logs requests that never went asynchronous.
 *
 * <p>At debug it also logs each request's arrival with the client's address and port: the access line is written at
 * the end, and a request whose client got nothing back (a connection cut, a response never completed) can only be
 * matched to its log lines from the client side by the connection's four-tuple and the time (SoakIT does).
 */
public final class AccessLogFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LogManager.getLogger(AccessLogFilter.class);

    @Override
    protected void doFilter(HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain)
            throws IOException, ServletException {
        AccessRecord record = new AccessRecord();
        clientRequest.setAttribute(AccessRecord.ATTRIBUTE, record);
        clientResponse.setHeader("x-request-id", record.requestId());
        if (LOG.isDebugEnabled()) {
            // Address and port only: no path (a caller may put a key in the query) and no header.
            LOG.debug("request_id={} from {}:{}", record.requestId(), clientRequest.getRemoteAddr(),
                    clientRequest.getRemotePort());
        }
        try {
            chain.doFilter(clientRequest, clientResponse);
        } finally {
            if (!record.isAsync()) {
                AccessLog.write(record, clientResponse.getStatus());
            }
        }
    }
}
