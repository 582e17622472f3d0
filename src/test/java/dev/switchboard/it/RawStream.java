package dev.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A caller at the socket level, for what an HTTP client library hides: reading only when the test says so (a slow
 * reader), hanging up mid-stream (a client that leaves), sending headers a library refuses to send.
 */
public final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final InputStream input;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private RawStream(Socket socket) throws IOException {
        this.socket = socket;
        this.input = socket.getInputStream();
    }

    /**
     * Sends a request; {@code receiveBuffer} (bytes, 0 for the default) limits how much the kernel reads ahead for a
     * client that is not reading.
     */
    public static RawStream open(URI base, String rawRequest, int receiveBuffer) {
        return open(base, rawRequest, receiveBuffer, null);
    }

    /** As {@link #open(URI, String, int)}, from the local address {@code local} (127.0.0.2: another machine). */
    public static RawStream openFrom(InetAddress local, URI base, String rawRequest) {
        return open(base, rawRequest, 0, local);
    }

    private static RawStream open(URI base, String rawRequest, int receiveBuffer, InetAddress local) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            if (local != null) {
                socket.bind(new InetSocketAddress(local, 0));
            }
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.getOutputStream().write(rawRequest.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new RawStream(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POST of {@code json} with a bearer key, as curl would send it. */
    public static String post(URI base, String path, String key, String json, String... extraHeaders) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder()
                .append("POST ").append(base.getPath().replaceAll("/$", "")).append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                .append("Authorization: Bearer ").append(key).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").append(json).toString();
    }

    /** Reads until what was received contains {@code marker} {@code times} times; returns everything so far. */
    public String readUntil(String marker, int times, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[8192];
        try {
            while (count(body(), marker) < times) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + times + " x '" + marker
                            + "'; received so far:\n" + text());
                }
                socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                int read;
                try {
                    read = input.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (read < 0) {
                    throw new AssertionError("connection closed before " + times + " x '" + marker + "':\n" + text());
                }
                received.write(buffer, 0, read);
            }
            return body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until the server closes the connection or the response ends ({@code 0\r\n\r\n}); returns it all. */
    public String readToEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[8192];
        try {
            while (!endsWithLastChunk()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("response did not end within " + timeout);
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int read;
                try {
                    read = input.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    break; // reset by the server: the end of this response too
                }
                if (read < 0) {
                    break;
                }
                received.write(buffer, 0, read);
            }
            return body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean endsWithLastChunk() {
        byte[] end = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        int size = received.size();
        if (size < end.length) {
            return false;
        }
        byte[] all = received.toByteArray();
        return java.util.Arrays.equals(all, size - end.length, size, end, 0, end.length);
    }

    /**
     * The response body received so far with HTTP/1.1 chunked framing removed, so that a marker split across two
     * chunks still matches; a body that is not chunked comes back as it is. A cut-off last chunk is kept as far as
     * it got.
     */
    public String body() {
        byte[] all = received.toByteArray();
        String head = new String(all, 0, Math.min(all.length, 4096), StandardCharsets.ISO_8859_1);
        int headerEnd = head.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return "";
        }
        int at = headerEnd + 4;
        if (!head.substring(0, headerEnd).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            return new String(all, at, all.length - at, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(all.length);
        while (at < all.length) {
            int lineEnd = indexOfCrlf(all, at);
            if (lineEnd < 0) {
                break;
            }
            String sizeLine = new String(all, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim();
            int size = sizeLine.isEmpty() ? 0 : Integer.parseInt(sizeLine, 16);
            if (size == 0) {
                break;
            }
            int start = lineEnd + 2;
            int length = Math.min(size, all.length - start);
            body.write(all, start, length);
            at = start + size + 2;
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Everything received, headers and framing included. */
    public String text() {
        return received.toString(StandardCharsets.UTF_8);
    }

    public static int count(String text, String marker) {
        int count = 0;
        for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length())) {
            count++;
        }
        return count;
    }

    /** This client's port: the gateway logs each request's arrival with it (at debug), to find its log lines. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Hangs up with RST (SO_LINGER 0) instead of FIN: the server's socket leaves the kernel's tables at once. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }
}
