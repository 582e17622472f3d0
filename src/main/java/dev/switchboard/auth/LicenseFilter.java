package dev.switchboard.auth;

import dev.switchboard.openai.ApiError;
import dev.switchboard.usage.AccessRecord;
import dev.switchboard.web.ErrorResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one authentication filter. License mode: {@code Authorization: Bearer <license>}. App mode:
 * {@code Authorization: Bearer <appId>:<appKey>}, chosen by shape — a bearer token with a {@code :} whose part before
 * the first {@code :} is a configured app id; anything else is looked up as a license. Pass-through (Chat2API) mode:
 * chosen by the mere presence of a {@code Tokens-Authorization} header ({@link PassThroughCredentials}). Every
 * failure — missing, malformed, repeated, unknown, wrong key, expired, empty app id or key, a pass-through request
 * without its vendor token — gets the same 401 body, so a caller learns nothing about which check failed (nor whether
 * an app id exists).
 */
public final class LicenseFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    /** Query parameter names that suggest a credential; keys in URLs end up in proxy and browser logs. */
    private static final Pattern CREDENTIAL_PARAMETER =
            Pattern.compile("(?i)(^|&)[^=&]*(key|token|auth|license|secret|password)[^=&]*=");
    /** Visible ASCII only: a key is a header value, and control characters could split headers or log lines. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,1024}");

    private final transient Clock clock = Clock.systemUTC();

    /** Filled by the listener at deployment; read per request. */
    public static final String LICENSES_ATTRIBUTE = Licenses.class.getName();
    /** Filled by the listener at deployment; read per request. */
    public static final String APPS_ATTRIBUTE = Apps.class.getName();

    @Override
    protected void doFilter(HttpServletRequest clientRequest, HttpServletResponse clientResponse, FilterChain chain)
            throws IOException, ServletException {
        if ("/healthz".equals(clientRequest.getServletPath())) {
            chain.doFilter(clientRequest, clientResponse);
            return;
        }
        AuthFailureThrottle throttle = AuthFailureThrottle.of(getServletContext());
        if (throttle != null && throttle.refuse(clientRequest, clientResponse)) {
            return;
        }
        Licenses licenses = (Licenses) getServletContext().getAttribute(LICENSES_ATTRIBUTE);
        Apps apps = (Apps) getServletContext().getAttribute(APPS_ATTRIBUTE);
        Optional<Caller> found;
        if (credentialInQuery(clientRequest)) {
            found = Optional.empty();
        } else if (clientRequest.getHeader(PassThroughCredentials.HEADER) != null) {
            found = PassThroughCredentials.identify(headers(clientRequest, PassThroughCredentials.HEADER),
                    headers(clientRequest, "Authorization"), licenses, clock.instant());
        } else {
            found = bearer(clientRequest).flatMap(token -> identify(token, licenses, apps, clock.instant()));
        }
        if (found.isEmpty()) {
            if (throttle != null) {
                throttle.failed(clientRequest);
            }
            reject(clientRequest, clientResponse);
            return;
        }
        Caller caller = found.get();
        clientRequest.setAttribute(Caller.ATTRIBUTE, caller);
        AccessRecord record = (AccessRecord) clientRequest.getAttribute(AccessRecord.ATTRIBUTE);
        record.caller(caller.name(), caller.mode());
        chain.doFilter(clientRequest, clientResponse);
    }

    /** App mode when the part before the first ':' is a configured app id; license mode otherwise. */
    static Optional<Caller> identify(String token, Licenses licenses, Apps apps, Instant now) {
        int colon = token.indexOf(':');
        if (colon >= 0 && apps != null && apps.has(token.substring(0, colon))) {
            return apps.find(token.substring(0, colon), token.substring(colon + 1), now).map(Caller::app);
        }
        return licenses.find(token, now).map(Caller::license);
    }

    private static boolean credentialInQuery(HttpServletRequest clientRequest) {
        String query = clientRequest.getQueryString();
        return query != null && CREDENTIAL_PARAMETER.matcher(query).find();
    }

    private static List<String> headers(HttpServletRequest clientRequest, String name) {
        return Collections.list(clientRequest.getHeaders(name));
    }

    /** The bearer token of the one Authorization header; empty if there is none, several, or it is malformed. */
    static Optional<String> bearer(HttpServletRequest clientRequest) {
        List<String> values = headers(clientRequest, "Authorization");
        if (values.size() != 1) {
            return Optional.empty();
        }
        String value = values.get(0).trim();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String key = value.substring(7).trim();
        return KEY.matcher(key).matches() ? Optional.of(key) : Optional.empty();
    }

    private static void reject(HttpServletRequest clientRequest, HttpServletResponse clientResponse)
            throws IOException {
        ApiError error = ApiError.invalidApiKey();
        AccessRecord record = (AccessRecord) clientRequest.getAttribute(AccessRecord.ATTRIBUTE);
        record.errorCode(error.code());
        clientResponse.setHeader("WWW-Authenticate", "Bearer");
        ErrorResponses.writeBeforeBody(clientRequest, clientResponse, error);
    }
}
