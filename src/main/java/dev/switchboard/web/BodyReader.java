package dev.switchboard.web;

import dev.switchboard.openai.ApiError;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Per-request: reads the request body without blocking a container thread (a slow sender holds no thread), into
 * one array that never grows past the limit. The limit is checked while reading, so chunked bodies with no
 * Content-Length are bounded too.
 */
final class BodyReader implements ReadListener {

    /** Hears the outcome exactly once, on a container thread. */
    interface Callback {
        void body(byte[] bytes, int length);

        void failed(ApiError error);
    }

    private final ServletInputStream input;
    private final long maxBytes;
    private final Callback callback;
    private byte[] buffer;
    private int length;
    private boolean done;

    BodyReader(ServletInputStream input, long contentLength, long maxBytes, Callback callback) {
        this.input = input;
        this.maxBytes = maxBytes;
        this.callback = callback;
        this.buffer = new byte[(int) Math.min(maxBytes, contentLength > 0 ? contentLength : 16 * 1024)];
    }

    void start() {
        input.setReadListener(this);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!done && input.isReady()) {
            if (length == buffer.length) {
                if (length >= maxBytes) {
                    // One byte past the limit is proof enough; the rest is never read.
                    if (input.read() < 0) {
                        return; // exactly at the limit and finished: onAllDataRead follows
                    }
                    fail(tooLarge());
                    return;
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(maxBytes, (long) buffer.length * 2));
            }
            int read = input.read(buffer, length, buffer.length - length);
            if (read < 0) {
                return;
            }
            length += read;
        }
    }

    @Override
    public void onAllDataRead() {
        if (!done) {
            done = true;
            callback.body(buffer, length);
        }
    }

    @Override
    public void onError(Throwable failure) {
        fail(ApiError.invalidRequest(400, "invalid_body", null, "The request body could not be read."));
    }

    private void fail(ApiError error) {
        if (!done) {
            done = true;
            buffer = null;
            callback.failed(error);
        }
    }

    static ApiError tooLarge() {
        // The unread rest of the body makes the connection unusable for another request.
        return ApiError.invalidRequest(413, "request_too_large", null, "The request body is too large.")
                .withHeader("Connection", "close");
    }

}
