package dev.switchboard.limit;

import dev.switchboard.auth.Caller;
import dev.switchboard.openai.ApiException;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.web.ErrorResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * After authentication, before the body is read: takes a slot of the caller's own concurrency and rate limits
 * ({@link CallerLimiter}) and adds it to the request's {@link Admission}, or answers 429 {@code rate_limit_exceeded}
 * with Retry-After. The body names no key, digest or caller: only the caller knows who it is.
 */
public final class CallerLimitFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain)
            throws IOException, ServletException {
        CallerLimiter limiter = (CallerLimiter) getServletContext().getAttribute(CallerLimiter.ATTRIBUTE);
        Caller caller = (Caller) clientRequest.getAttribute(Caller.ATTRIBUTE);
        Admission admission = (Admission) clientRequest.getAttribute(Admission.ATTRIBUTE);
        if (limiter == null || caller == null || admission == null) {
            chain.doFilter(clientRequest, clientResponse); // /healthz: neither admitted nor authenticated
            return;
        }
        try {
            admission.add(limiter.acquire(caller.name()));
        } catch (ApiException refused) {
            ((AccessRecord) clientRequest.getAttribute(AccessRecord.ATTRIBUTE)).errorCode(refused.error().code());
            ErrorResponses.writeBeforeBody(clientRequest, clientResponse, refused.error());
            return;
        }
        chain.doFilter(clientRequest, clientResponse);
    }
}
