package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The gateway's log file in the container under test (the build passes its path as {@code switchboard.log.file}).
 * Access lines are written when a request completes, so lookups poll for a while.
 */
final class GatewayLog {
    private GatewayLog() {}

    static Path file() {
        return Path.of(System.getProperty("switchboard.log.file"));
    }

    static String text() {
        try {
            return Files.readString(file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The access line of the request that produced {@code response}, found by its {@code x-request-id}. */
    static String accessLineOf(HttpResponse<?> response) {
        return accessLine(response.headers().firstValue("x-request-id").orElseThrow());
    }

    /** The access line of the request whose {@code x-request-id} was {@code requestId}. */
    static String accessLine(String requestId) {
        return Await.value("the access line of " + requestId, () -> scan(lines -> lines
                .filter(line -> line.contains(" access ") && line.contains("request_id=" + requestId))
                .findFirst().orElse(null), null), Duration.ofSeconds(10));
    }

    /**
     * The id of the request that arrived from {@code clientPort} on this machine (the gateway logs each arrival at
     * debug, which the build turns on), the latest such arrival if the port was used before.
     */
    static String requestIdFrom(int clientPort) {
        Pattern arrival = Pattern.compile("request_id=(req_[0-9a-f]{32}) from \\S+:" + clientPort + "$");
        return Await.value("the arrival from port " + clientPort, () -> scan(lines -> lines.map(arrival::matcher)
                .filter(Matcher::find).map(matcher -> matcher.group(1)).reduce((earlier, later) -> later)
                .orElse(null), null), Duration.ofSeconds(10));
    }

    /** How many lines the log has now: a test that looks only at its own lines starts from here. */
    static long lineCount() {
        return scan(Stream::count, 0L);
    }

    /** The lines from {@code first} (a {@link #lineCount()} taken earlier) that contain {@code text}. */
    static List<String> linesSince(long first, String text) {
        return scan(lines -> lines.skip(first).filter(line -> line.contains(text)).toList(), List.of());
    }

    static long accessLineCount() {
        return scan(lines -> lines.filter(line -> line.contains(" access ")).count(), 0L);
    }

    /**
     * Reads the log line by line, never whole: a soak of some minutes at debug writes a gigabyte, more than the test
     * JVM's heap (a 600 s soak ended in an OutOfMemoryError when this read all lines into a list).
     */
    private static <T> T scan(Function<Stream<String>, T> reader, T ifUnreadable) {
        return scan(file(), reader, ifUnreadable);
    }

    /** {@link #scan(Function, Object)} over another log file, such as a kept copy. */
    static <T> T scan(Path log, Function<Stream<String>, T> reader, T ifUnreadable) {
        if (!Files.exists(log)) {
            return ifUnreadable;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return reader.apply(lines);
        } catch (IOException | UncheckedIOException e) {
            return ifUnreadable; // being written by the container right now: the next poll reads it
        }
    }
}
