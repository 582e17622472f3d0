package dev.switchboard.sse;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Closes a committed response's connection without ending the response, so an HTTP/1.1 client sees a chunked body
 * with no terminating chunk (or a reset) — a visible truncation — instead of a clean end. Stateless.
 *
 * <p>The Servlet API has no abort: {@code AsyncContext.complete()} always ends a chunked body cleanly, and the
 * portable error paths (an exception thrown from an async dispatch, which would also run the WAR's error page into the
 * committed body) behave differently per container. So each supported container's own abort is called, found by the
 * class of the container's response object and reached by reflection, because the WAR is built against the Servlet
 * API only (and Jetty hides its server classes from web apps). Every step is guarded: an unknown container, or one
 * whose internals moved, gets {@code false} and the caller falls back to an in-band error.
 * <ul>
 *   <li>Tomcat: {@code ActionCode.CLOSE_NOW} on the connector's response — the action Tomcat's own
 *       {@code ErrorReportValve} uses for an error after commit; the processor then closes the socket instead of
 *       writing the last chunk.
 *   <li>Jetty 12 (ee10): closes the connection's {@code EndPoint} (the socket) under the servlet channel.
 *   <li>Undertow (WildFly): closes the exchange's {@code ServerConnection}.
 * </ul>
 */
final class ConnectionAbort {
    private static final Logger LOG = LogManager.getLogger(ConnectionAbort.class);

    private ConnectionAbort() {}

    /**
     * Aborts the connection of {@code asyncContext}'s request; false when this container is not supported or the
     * request has ended. The response is asked of the context now, not kept from the start: a container refuses a
     * context whose request has ended, while a kept response may already serve another request. Tomcat recycles a
     * finished request's objects for the next connection its processor serves; with the connector's
     * {@code discardFacades} off (the default before Tomcat 10) a kept facade is that next request's, and aborting
     * through it killed an innocent connection ({@code ConnectionAbortTomcatTest}).
     */
    static boolean abort(AsyncContext asyncContext) {
        ServletResponse response;
        try {
            response = asyncContext.getResponse();
        } catch (IllegalStateException e) {
            LOG.debug("not aborting: the request has ended ({})", e.toString());
            return false;
        }
        while (response instanceof ServletResponseWrapper wrapper) {
            response = wrapper.getResponse();
        }
        String type = response.getClass().getName();
        try {
            if (type.startsWith("org.apache.catalina.connector.")) {
                return tomcat(response);
            }
            if (type.startsWith("org.eclipse.jetty.")) {
                return jetty(response);
            }
            if (type.startsWith("io.undertow.")) {
                return undertow(response);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot abort the client connection on {}: {}", type, e.toString());
            return false;
        }
        LOG.warn("cannot abort the client connection: no abort known for {}", type);
        return false;
    }

    /** {@code ResponseFacade.response} (protected, no getter) → {@code getCoyoteResponse().action(CLOSE_NOW, cause)}. */
    private static boolean tomcat(Object facade) throws ReflectiveOperationException {
        Field field = field(facade.getClass(), "response");
        field.setAccessible(true);
        Object connectorResponse = field.get(facade);
        Object coyoteResponse = connectorResponse.getClass().getMethod("getCoyoteResponse").invoke(connectorResponse);
        Class<?> actionCode = Class.forName("org.apache.coyote.ActionCode", false,
                coyoteResponse.getClass().getClassLoader());
        Method action = coyoteResponse.getClass().getMethod("action", actionCode, Object.class);
        // An IOException: Tomcat keeps the status it already sent rather than recording a 500.
        action.invoke(coyoteResponse, enumConstant(actionCode, "CLOSE_NOW"), new IOException("upstream failed"));
        return true;
    }

    /**
     * Closes the connection's {@code EndPoint}. Not {@code ServletChannel.abort(Throwable)}: after it Jetty never runs
     * the request's completion, so {@code AsyncListener.onComplete} (the access log) never fires. With the endpoint
     * closed first, the completion that follows fails to write the last chunk and still runs the listeners.
     */
    private static boolean jetty(Object servletApiResponse) throws ReflectiveOperationException {
        Object channel = servletApiResponse.getClass().getMethod("getServletChannel").invoke(servletApiResponse);
        Object endPoint = channel.getClass().getMethod("getEndPoint").invoke(channel);
        close(endPoint);
        return true;
    }

    private static boolean undertow(Object undertowResponse) throws ReflectiveOperationException {
        Object exchange = undertowResponse.getClass().getMethod("getExchange").invoke(undertowResponse);
        close(exchange.getClass().getMethod("getConnection").invoke(exchange));
        return true;
    }

    private static void close(Object connection) {
        try {
            ((Closeable) connection).close();
        } catch (IOException e) {
            LOG.debug("closing the client connection failed: {}", e.toString()); // broken either way
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> at = type; at != null; at = at.getSuperclass()) {
            try {
                return at.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }
}
