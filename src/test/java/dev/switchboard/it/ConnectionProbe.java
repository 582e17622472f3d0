package dev.switchboard.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Tells whether the client closed its connection while the fake upstream was not writing (waiting on a latch, pausing,
 * about to send headers): the JDK server offers no API for it, and a write to a closed connection can still succeed
 * once. Reaches the exchange's {@link SocketChannel} inside {@code sun.net.httpserver}, which needs
 * {@code --add-opens jdk.httpserver/sun.net.httpserver=ALL-UNNAMED} (the pom passes it to surefire and failsafe).
 *
 * <p>Per-request object, used only by the exchange's thread. During an exchange the JDK server keeps the channel in
 * blocking mode and out of its selector; a probe switches it to non-blocking for one read: -1 (FIN) or a reset means
 * the client left; 0 means it is still there. HTTP/1.1 clients send nothing more while awaiting a response, so a probe
 * that does read bytes (a pipelined request) has consumed them: it records that and stops probing.
 */
final class ConnectionProbe {
    static final String ADD_OPENS = "--add-opens jdk.httpserver/sun.net.httpserver=ALL-UNNAMED";

    private final SocketChannel channel;
    private final ByteBuffer scratch = ByteBuffer.allocate(1);
    private boolean disabled;

    private ConnectionProbe(SocketChannel channel) {
        this.channel = channel;
    }

    /** Fails fast, naming the JVM flag, rather than letting tests wait for endings that are never noticed. */
    static void requireAccess() {
        if (!HttpServer.class.getModule().isOpen("sun.net.httpserver", ConnectionProbe.class.getModule())) {
            throw new IllegalStateException("FakeUpstream needs the JVM option " + ADD_OPENS
                    + " to notice clients that close their connection (the pom's surefire and failsafe set it)");
        }
    }

    static ConnectionProbe of(HttpExchange exchange) {
        try {
            SocketChannel channel = find(exchange, 0);
            if (channel == null) {
                throw new IllegalStateException("no SocketChannel inside " + exchange.getClass().getName());
            }
            return new ConnectionProbe(channel);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot reach the JDK HTTP server's channel; run with " + ADD_OPENS, e);
        }
    }

    /** True once the client has closed (or reset) the connection. */
    boolean clientClosed() {
        if (disabled) {
            return false;
        }
        try {
            scratch.clear();
            channel.configureBlocking(false);
            try {
                int read = channel.read(scratch);
                if (read > 0) {
                    disabled = true; // consumed a byte of a pipelined request: never probe this exchange again
                }
                return read < 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException reset) {
            return true;
        }
    }

    /** Searches the JDK's exchange objects (a few levels deep) for the connection's channel. */
    private static SocketChannel find(Object object, int depth) throws IllegalAccessException {
        if (object == null || depth > 3) {
            return null;
        }
        for (Class<?> type = object.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
                        || !field.getDeclaringClass().getName().startsWith("sun.net.httpserver.")) {
                    continue;
                }
                field.setAccessible(true);
                Object value = field.get(object);
                if (value instanceof SocketChannel channel) {
                    return channel;
                }
                if (value != null && value.getClass().getName().startsWith("sun.net.httpserver.")) {
                    SocketChannel found = find(value, depth + 1);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }
}
