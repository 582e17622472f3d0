package dev.switchboard.upstream;

import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.reactor.IOSessionListener;

/**
 * Tells an exchange which connection it runs on, so the gateway can close that connection itself when it abandons
 * the exchange.
 *
 * <p>Why: with HttpClient 5.6.5, {@code Future.cancel()} on an exchange that runs over a reused pooled connection
 * returns true but leaves the connection open and the upstream generating until the connection is next used or
 * times out (reproduced on loopback: the upstream saw the close only when the client shut down; on a fresh
 * connection cancel does close it). A client that leaves must stop the upstream's work at once (RELIABILITY.md).
 *
 * <p>How: httpcore calls {@link IOSessionListener#inputReady}/{@link IOSessionListener#outputReady} on the I/O thread
 * immediately before the connection's handler (httpcore 5.4 {@code InternalDataChannel.onIOEvent}), and the handler
 * calls the exchange's producer and consumer synchronously, so during those callbacks this thread's current session
 * is the exchange's connection. Application-scoped, stateless apart from the thread-local.
 */
final class ConnectionTracker implements IOSessionListener {
    private static final ThreadLocal<IOSession> CURRENT = new ThreadLocal<>();

    /** The connection whose event this I/O thread is handling; {@code null} outside I/O callbacks. */
    static IOSession current() {
        return CURRENT.get();
    }

    @Override
    public void connected(IOSession session) {
        CURRENT.set(session);
    }

    @Override
    public void startTls(IOSession session) {}

    @Override
    public void inputReady(IOSession session) {
        CURRENT.set(session);
    }

    @Override
    public void outputReady(IOSession session) {
        CURRENT.set(session);
    }

    @Override
    public void timeout(IOSession session) {}

    @Override
    public void exception(IOSession session, Exception ex) {}

    @Override
    public void disconnected(IOSession session) {
        if (CURRENT.get() == session) {
            CURRENT.remove();
        }
    }
}
