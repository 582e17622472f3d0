package dev.switchboard.upstream;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * Per-exchange: the request body producer, which also reports, on the I/O thread, the channel the body is written
 * to; that is the earliest point an exchange learns where it runs. Over HTTP/1.1 that tells it its connection (see
 * {@link ConnectionTracker}); over HTTP/2 its stream's channel.
 */
final class TrackingEntityProducer implements AsyncEntityProducer {
    private final AsyncEntityProducer body;
    private final Consumer<DataStreamChannel> onProduce;

    TrackingEntityProducer(AsyncEntityProducer body, Consumer<DataStreamChannel> onProduce) {
        this.body = body;
        this.onProduce = onProduce;
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
        onProduce.accept(channel);
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
