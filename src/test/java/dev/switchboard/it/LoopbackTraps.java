package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback endpoints that fail below HTTP in ways {@link FaultUpstream} cannot (RELIABILITY.md, "Testing on one
 * machine"): a closed port (connect refused), a listener whose accept queue is full (connect timeout: Linux drops
 * the SYN of a connection its full accept queue cannot take, so the connect hangs like a black-holed address), and a
 * plain-HTTP listener for an {@code https://} base URL (the TLS handshake fails on the first bytes).
 */
public final class LoopbackTraps {
    private LoopbackTraps() {}

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A loopback port that was free a moment ago and is closed now: connecting to it is refused. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A listener that never accepts, with a backlog of one already filled by connections of its own: further connects
     * get no SYN-ACK and time out. Keep it open for as long as the connects must hang.
     */
    public static final class FullBacklog implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        public FullBacklog() {
            try {
                server = new ServerSocket(0, 1, LOOPBACK);
                // Linux queues backlog + 1 established connections; fill them, then one more must hang.
                for (int i = 0; i < 2; i++) {
                    Socket filler = new Socket();
                    filler.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 1000);
                    fillers.add(filler);
                }
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 200);
                    throw new IllegalStateException("the accept queue is not full: connect timeouts cannot be tested");
                } catch (java.net.SocketTimeoutException expected) {
                    // the queue is full: a connect hangs
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() {
            fillers.forEach(LoopbackTraps::closeQuietly);
            closeQuietly(server);
        }
    }

    /**
     * Answers every connection at once with a plain HTTP response, before reading anything: a TLS client reads it as a
     * record that is not TLS and fails the handshake. Counts the connections.
     */
    static final class NotTls implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicInteger accepted = new AtomicInteger();
        private final Thread acceptor;

        NotTls() {
            try {
                server = new ServerSocket(0, 50, LOOPBACK);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            acceptor = new Thread(this::acceptLoop, "not-tls-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** Connections accepted so far. */
        int accepted() {
            return accepted.get();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    accepted.incrementAndGet();
                    socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    // Read what the client sends until it leaves: closing with unread bytes would send RST, and the
                    // client might then see a reset instead of the failed handshake.
                    socket.setSoTimeout(10_000);
                    while (socket.getInputStream().read(new byte[1024]) >= 0) {
                        // discard the ClientHello
                    }
                } catch (IOException e) {
                    // closed, or the client left first: either way the next connection is served
                }
            }
        }

        @Override
        public void close() {
            closeQuietly(server);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
