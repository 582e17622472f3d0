package dev.switchboard.it;

import dev.switchboard.it.SoakClient.Outcome;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a failed soak keeps: a lost request is rare (2 in some 540,000 when last seen) and does not come back on a
 * rerun, so the failing run itself must leave enough to explain it. Copies the gateway's log (and, for the embedded
 * containers, the test's captured output, where the container's own warnings go) to {@code target/soak-evidence/},
 * which the next build does not clean, and finds each lost request's lines: its arrival line (the gateway logs the
 * client's port at debug, see {@code AccessLogFilter}) nearest to when it was sent, then every line naming its
 * request id.
 */
final class SoakEvidence {
    /** Log4j's ISO8601 pattern, as log4j2.xml prints each line's start. */
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS",
            Locale.ROOT);
    private static final Pattern ARRIVAL = Pattern.compile("request_id=(req_[0-9a-f]{32}) from \\S+:(\\d+)$");
    /** Warnings and errors printed this close to a lost request's send time are shown with it. */
    private static final Duration NEARBY = Duration.ofSeconds(2);
    private static final int MAX_NEARBY_LINES = 40;

    private SoakEvidence() {}

    /** Copies the logs and describes each lost request with its log lines; never throws (it runs on failure). */
    static String keep(List<Outcome> lost) {
        StringBuilder out = new StringBuilder();
        Path lines = null;
        try {
            Path log = GatewayLog.file();
            Path target = log.toAbsolutePath().getParent().getParent(); // target/it-logs/<container>.log
            Path kept = target.resolve("soak-evidence");
            Files.createDirectories(kept);
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
            String prefix = Deployments.container() + "-" + stamp;
            Path copy = kept.resolve(prefix + "-gateway.log");
            Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
            out.append("gateway log kept as ").append(copy).append('\n');
            Path reports = target.resolve("failsafe-reports").resolve(Deployments.container());
            if (Files.isDirectory(reports)) {
                try (DirectoryStream<Path> outputs = Files.newDirectoryStream(reports, "*SoakIT-output.txt")) {
                    for (Path output : outputs) {
                        Path outputCopy = kept.resolve(prefix + "-test-output.txt");
                        Files.copy(output, outputCopy, StandardCopyOption.REPLACE_EXISTING);
                        out.append("test output so far kept as ").append(outputCopy).append('\n');
                    }
                }
            }
            lines = copy;
        } catch (IOException | RuntimeException e) {
            out.append("could not keep the logs: ").append(e).append('\n');
        }
        for (Outcome outcome : lost) {
            out.append("LOST: ").append(outcome.sent()).append("\n  ").append(outcome.detail()).append('\n');
            describe(outcome, lines, out);
        }
        return out.toString();
    }

    private static void describe(Outcome outcome, Path log, StringBuilder out) {
        if (outcome.sent() == null || outcome.sent().localPort() == 0) {
            out.append("  (no connection: nothing to look up)\n");
            return;
        }
        if (log == null) {
            return;
        }
        // Ports are reused over a long run: the arrival from this port nearest to the send time is this request.
        String[] requestId = {null};
        long[] best = {Long.MAX_VALUE};
        forEachLine(log, line -> {
            Matcher arrival = ARRIVAL.matcher(line);
            if (arrival.find() && Integer.parseInt(arrival.group(2)) == outcome.sent().localPort()) {
                LocalDateTime at = time(line);
                long distance = at == null ? Long.MAX_VALUE - 1
                        : Math.abs(Duration.between(outcome.sent().at(), at).toMillis());
                if (distance < best[0]) {
                    best[0] = distance;
                    requestId[0] = arrival.group(1);
                }
            }
        });
        if (requestId[0] == null || best[0] > 10_000) {
            out.append("  no arrival from port ").append(outcome.sent().localPort())
                    .append(" near that time: the request never reached the gateway's filters\n");
        } else {
            out.append("  its lines (").append(requestId[0]).append(", arrival ").append(best[0])
                    .append(" ms from the send time):\n");
            forEachLine(log, line -> {
                if (line.contains(requestId[0])) {
                    out.append("    ").append(line).append('\n');
                }
            });
        }
        List<String> nearby = new ArrayList<>();
        forEachLine(log, line -> {
            if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                LocalDateTime at = time(line);
                if (at != null && Duration.between(outcome.sent().at(), at).abs().compareTo(NEARBY) <= 0) {
                    nearby.add(line);
                }
            }
        });
        out.append("  warnings and errors within ").append(NEARBY.toSeconds()).append(" s: ").append(nearby.size())
                .append('\n');
        nearby.stream().limit(MAX_NEARBY_LINES).forEach(line -> out.append("    ").append(line).append('\n'));
    }

    /** One pass over the kept log, line by line; evidence is best effort, so an unreadable log just ends it. */
    private static void forEachLine(Path log, Consumer<String> action) {
        GatewayLog.scan(log, lines -> {
            lines.forEach(action);
            return null;
        }, null);
    }

    private static LocalDateTime time(String line) {
        if (line.length() < 23) {
            return null;
        }
        try {
            return LocalDateTime.parse(line.substring(0, 23), LOG_TIME);
        } catch (DateTimeParseException e) {
            return null; // a continuation line (a stack trace)
        }
    }
}
