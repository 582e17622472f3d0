package dev.switchboard.limit;

import dev.switchboard.usage.AccessRecord;
import dev.switchboard.web.ErrorResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Admits an API request only while fewer than {@code limits.maxInFlight} are in flight, before credentials are checked
 * or the body is read, so an overloaded gateway sheds work at the cheapest point (RELIABILITY.md, bad-input table:
 * 503 {@code gateway_overloaded} with Retry-After). Holds the request's {@link Admission}. {@code /healthz} is never
 * limited: a load balancer must still see a live process.
 */
public final class OverloadFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain)
            throws IOException, ServletException {
        InFlightLimit limit = (InFlightLimit) getServletContext().getAttribute(InFlightLimit.ATTRIBUTE);
        if (limit == null || "/healthz".equals(clientRequest.getServletPath())) {
            chain.doFilter(clientRequest, clientResponse);
            return;
        }
        if (!limit.tryAcquire()) {
            var error = InFlightLimit.overloaded();
            ((AccessRecord) clientRequest.getAttribute(AccessRecord.ATTRIBUTE)).errorCode(error.code());
            ErrorResponses.writeBeforeBody(clientRequest, clientResponse, error);
            return;
        }
        Admission admission = new Admission(limit::release);
        clientRequest.setAttribute(Admission.ATTRIBUTE, admission);
        try {
            chain.doFilter(clientRequest, clientResponse);
        } finally {
            if (!admission.isHandedOff()) {
                admission.release();
            }
        }
    }
}
