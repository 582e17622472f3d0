package dev.switchboard.upstream;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.reactor.IOSession;

/**
 * Per-exchange: the request body producer, which also reports the connection the body is written to (see
 * {@link ConnectionTracker}); that is the earliest point an exchange can learn its connection.
 */
final class TrackingEntityProducer implements AsyncEntityProducer {
    private final AsyncEntityProducer body;
    private final Consumer<IOSession> onConnection;

    TrackingEntityProducer(AsyncEntityProducer body, Consumer<IOSession> onConnection) {
        this.body = body;
        this.onConnection = onConnection;
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
        IOSession session = ConnectionTracker.current();
        if (session != null) {
            onConnection.accept(session);
        }
        body.produce(channel);
    }

    @Override
    public boolean isRepeatable() {
        return body.isRepeatable();
    }

    @Override
    public int available() {
        return body.available();
    }

    @Override
    public void failed(Exception cause) {
        body.failed(cause);
    }

    @Override
    public void releaseResources() {
        body.releaseResources();
    }

    @Override
    public long getContentLength() {
        return body.getContentLength();
    }

    @Override
    public String getContentType() {
        return body.getContentType();
    }

    @Override
    public String getContentEncoding() {
        return body.getContentEncoding();
    }

    @Override
    public boolean isChunked() {
        return body.isChunked();
    }

    @Override
    public Set<String> getTrailerNames() {
        return body.getTrailerNames();
    }
}
