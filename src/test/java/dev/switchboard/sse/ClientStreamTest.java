package dev.switchboard.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientStream} against a fake async context: how it answers the container's error report after it has
 * finished the response itself. Tomcat 10.1 reports a failed write to the {@link AsyncListener}s on a container thread
 * even when the stream already completed (it moves the async state back to ERROR), and refuses a {@code complete()}
 * from a non-container thread once one listener's {@code onError} has returned; unless a listener then completes on
 * its thread, Tomcat runs the WAR's error page into the committed response (SoakIT's Tomcat output showed about one
 * such error-page dispatch, two SEVERE stack traces, per client that left mid-stream).
 */
class ClientStreamTest {

    @Test
    void aContainerErrorAfterTheStreamCompletedIsAnsweredWithCompleteOnTheContainersThread() throws IOException {
        FakeAsync async = new FakeAsync(false);
        ClientStream stream = new ClientStream(async, 1024, () -> {}, "req_test");
        stream.respond(200, "application/json", Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, async.completes, "the whole response completes the context");

        stream.onError(new AsyncEvent(async, new IOException("Connection reset by peer")));

        assertEquals(2, async.completes, "the listener completes again: the container put the request back in error");
    }

    @Test
    void aCompleteTheContainerRefusedIsMadeAgainFromTheErrorListener() throws IOException {
        FakeAsync async = new FakeAsync(true);
        ClientStream stream = new ClientStream(async, 1024, () -> {}, "req_test");
        stream.event("{\"choices\":[]}");
        stream.endStream(); // the completion that the container refuses

        stream.onError(new AsyncEvent(async, new IOException("Connection reset by peer")));

        assertEquals(1, async.accepted, "completed once, from the listener");
    }

    @Test
    void aContainerErrorBeforeTheEndClosesTheStreamOnce() throws IOException {
        FakeAsync async = new FakeAsync(false);
        ClientStream stream = new ClientStream(async, 1024, () -> {}, "req_test");
        int[] closed = new int[1];
        stream.setListener(new ClientStream.Listener() {
            @Override
            public void onDrained() {}

            @Override
            public void onClosed(ClientStream.CloseReason reason) {
                assertEquals(ClientStream.CloseReason.CLIENT_GONE, reason);
                closed[0]++;
            }
        });
        stream.event("{\"choices\":[]}");

        stream.onError(new AsyncEvent(async, new IOException("Connection reset by peer")));
        stream.onComplete(new AsyncEvent(async));

        assertEquals(1, closed[0]);
        assertEquals(1, async.completes);
    }

    @Test
    void aWriteIntoARequestTheContainerRecycledEndsTheStreamAsClientGone() throws IOException {
        FakeAsync async = new FakeAsync(false);
        // Tomcat, after a client reset, can recycle the request while a non-container thread writes; the recycled
        // processor has no socket, and the write ends in a NullPointerException inside Tomcat.
        async.output.failWith = new NullPointerException("socketWrapper is null");
        ClientStream stream = new ClientStream(async, 1024, () -> {}, "req_test");
        ClientStream.CloseReason[] closed = new ClientStream.CloseReason[1];
        stream.setListener(new ClientStream.Listener() {
            @Override
            public void onDrained() {}

            @Override
            public void onClosed(ClientStream.CloseReason reason) {
                closed[0] = reason;
            }
        });

        stream.event("{\"choices\":[]}"); // the upstream's I/O thread: must not see the exception

        assertEquals(ClientStream.CloseReason.CLIENT_GONE, closed[0]);
        assertEquals(1, async.completes, "the request is released once");
    }

    @Test
    void oneEventLargerThanTheStreamBufferReachesAClientThatReads() throws IOException {
        // The buffer bounds what waits for a slow client; an event larger than it (maxEventBytes allows MBs), sent to a
        // client that takes every byte, is no sign of slowness.
        FakeAsync async = new FakeAsync(false);
        ClientStream stream = new ClientStream(async, 1024, () -> {}, "req_test");
        ClientStream.CloseReason[] closed = new ClientStream.CloseReason[1];
        stream.setListener(new ClientStream.Listener() {
            @Override
            public void onDrained() {}

            @Override
            public void onClosed(ClientStream.CloseReason reason) {
                closed[0] = reason;
            }
        });
        String big = "{\"content\":\"" + "x".repeat(4000) + "\"}";

        stream.event(big);
        stream.event("{\"content\":\"after\"}");

        String written = async.output.bytes.toString(StandardCharsets.UTF_8);
        assertEquals("data: " + big + "\n\ndata: {\"content\":\"after\"}\n\n", written);
        assertEquals(null, closed[0], "not cut as too slow");
    }

    /** An async context whose response takes every byte at once; counts complete() calls. */
    private static final class FakeAsync implements AsyncContext {
        private final boolean refuseFirstComplete;
        private final Output output = new Output();
        private final HttpServletResponse response;
        int completes;
        int accepted;

        FakeAsync(boolean refuseFirstComplete) {
            this.refuseFirstComplete = refuseFirstComplete;
            this.response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getOutputStream" -> output;
                        case "isCommitted" -> output.bytes.size() > 0;
                        case "getStatus" -> 200;
                        default -> null; // the setters
                    });
        }

        @Override
        public void complete() {
            completes++;
            if (refuseFirstComplete && completes == 1) {
                throw new IllegalStateException("a non-container thread used the AsyncContext after onError");
            }
            accepted++;
        }

        @Override
        public ServletResponse getResponse() {
            return response;
        }

        @Override
        public ServletRequest getRequest() {
            return null; // only AsyncEvent asks, and keeps it
        }

        @Override
        public boolean hasOriginalRequestAndResponse() {
            return true;
        }

        @Override
        public void dispatch() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void dispatch(String path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void dispatch(ServletContext context, String path) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void start(Runnable run) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addListener(AsyncListener listener) {}

        @Override
        public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {}

        @Override
        public <T extends AsyncListener> T createListener(Class<T> type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setTimeout(long timeout) {}

        @Override
        public long getTimeout() {
            return 0;
        }
    }

    private static final class Output extends ServletOutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** Thrown by every write when set. */
        RuntimeException failWith;

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failWith != null) {
                throw failWith;
            }
            bytes.write(b, off, len);
        }
    }
}
