package dev.switchboard.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The race suspected behind SoakIT's lost request, provoked on purpose on a real (embedded) Tomcat: an abort that
 * comes after its request completed, when Tomcat has recycled that request's objects and handed its processor to the
 * next connection. {@link ClientStream} never does this (it aborts only under its monitor before its own completion,
 * and Tomcat runs {@code onComplete}, which needs that monitor, before it recycles), but the abort must not rely on
 * that alone: with the connector's {@code discardFacades} off (an ordinary Tomcat setting, the default before 10), a
 * kept response facade is reused for the next request, and an abort through it killed an innocent connection.
 *
 * <p>One connection at a time, so the second request gets the first one's processor (Tomcat keeps released processors
 * on a stack). The second request is held open while the stale abort runs, then answers; its client must read it whole.
 */
class ConnectionAbortTomcatTest {
    private static final BlockingQueue<AsyncContext> STARTED = new ArrayBlockingQueue<>(4);

    /** Starts async and hands the context to the test, which answers it. */
    public static final class HoldingServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) {
            AsyncContext async = request.startAsync();
            async.setTimeout(30_000);
            STARTED.add(async);
        }
    }

    @ParameterizedTest(name = "discardFacades={0}")
    @ValueSource(booleans = {true, false})
    void anAbortAfterItsRequestCompletedLeavesTheNextConnectionAlone(boolean discardFacades, @TempDir Path base)
            throws Exception {
        STARTED.clear();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(base.resolve("tomcat")).toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setDiscardFacades(discardFacades);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "holding", new HoldingServlet()).setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "holding");
        tomcat.start();
        try {
            int port = connector.getLocalPort();

            // The first request ends normally; its async context is kept, as a ClientStream keeps its own.
            AsyncContext first;
            try (Socket client = get(port)) {
                first = STARTED.poll(10, TimeUnit.SECONDS);
                answer(first, "first");
                assertTrue(readAll(client).endsWith("first"));
            }

            // The next connection's request is in progress when the late abort for the first one runs.
            try (Socket client = get(port)) {
                AsyncContext second = STARTED.poll(10, TimeUnit.SECONDS);
                assertFalse(ConnectionAbort.abort(first), "a completed request has nothing left to abort");
                answer(second, "second"); // threw 'already completed processing' when the abort hit this request
                String received = readAll(client);
                assertTrue(received.startsWith("HTTP/1.1 200") && received.endsWith("second"),
                        "the innocent connection got: " + received);
            }
        } finally {
            stop(tomcat);
        }
    }

    private static Socket get(int port) throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
        client.setSoTimeout(10_000);
        client.getOutputStream().write("GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        return client;
    }

    private static void answer(AsyncContext async, String body) throws IOException {
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        response.setContentType("text/plain");
        response.setContentLength(body.length());
        response.getOutputStream().write(body.getBytes(StandardCharsets.US_ASCII));
        async.complete();
    }

    private static String readAll(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static void stop(Tomcat tomcat) throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }
}
