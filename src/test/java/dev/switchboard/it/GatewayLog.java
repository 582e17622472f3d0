package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        return Await.value("the access line of " + requestId, () -> lines().stream()
                .filter(line -> line.contains(" access ") && line.contains("request_id=" + requestId))
                .findFirst().orElse(null), Duration.ofSeconds(10));
    }

    /**
     * The id of the request that arrived from {@code clientPort} on this machine (the gateway logs each arrival at
     * debug, which the build turns on), the latest such arrival if the port was used before.
     */
    static String requestIdFrom(int clientPort) {
        Pattern arrival = Pattern.compile("request_id=(req_[0-9a-f]{32}) from \\S+:" + clientPort + "$");
        return Await.value("the arrival from port " + clientPort, () -> {
            String id = null;
            for (String line : lines()) {
                Matcher matcher = arrival.matcher(line);
                if (matcher.find()) {
                    id = matcher.group(1);
                }
            }
            return id;
        }, Duration.ofSeconds(10));
    }

    /** How many lines the log has now: a test that looks only at its own lines starts from here. */
    static int lineCount() {
        return lines().size();
    }

    /** The lines from {@code first} (a {@link #lineCount()} taken earlier) that contain {@code text}. */
    static List<String> linesSince(int first, String text) {
        List<String> all = lines();
        return all.subList(Math.min(first, all.size()), all.size()).stream().filter(line -> line.contains(text))
                .toList();
    }

    static long accessLineCount() {
        return lines().stream().filter(line -> line.contains(" access ")).count();
    }

    private static List<String> lines() {
        try {
            return Files.exists(file()) ? Files.readAllLines(file(), StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of(); // being written by the container right now: the next poll reads it
        }
    }
}
