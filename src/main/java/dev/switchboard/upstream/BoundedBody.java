package dev.switchboard.upstream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Per-exchange: a whole response body held in memory up to a hard limit. Not thread-safe. */
final class BoundedBody {
    private final long limit;
    private byte[] bytes = new byte[8192];
    private int length;

    BoundedBody(long limit) {
        this.limit = limit;
    }

    /** Copies all of {@code data}; returns false (keeping nothing more) once the limit would be passed. */
    boolean append(ByteBuffer data) {
        int incoming = data.remaining();
        if ((long) length + incoming > limit) {
            data.position(data.limit());
            return false;
        }
        if (length + incoming > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max((long) bytes.length * 2, length + incoming)));
        }
        data.get(bytes, length, incoming);
        length += incoming;
        return true;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }
}
