package dev.switchboard.it;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The soak test's fake vendor: what each vendor token of its configuration does, drawn at random per request. The
 * healthy tokens mostly answer well but sometimes fail after the stream has committed; the others rate-limit,
 * answer 5xx, reset or stall before the first byte.
 */
final class SoakFaults {
    /** Healthy on the primary platform; a few streams break after their first content. */
    static final String OK_PRIMARY = "sk-soak-ok-primary";
    /** Healthy tokens of the backup platform, which the router fails over to. */
    static final String OK_BACKUP_1 = "sk-soak-ok-backup-1";
    static final String OK_BACKUP_2 = "sk-soak-ok-backup-2";
    /** Always 429 with {@code Retry-After: 1}. */
    static final String RATE_LIMITED = "sk-soak-429";
    /** Half the time 500, 502 or 503, or a stream that resets before its first content; otherwise healthy. */
    static final String FLAKY = "sk-soak-5xx";
    /** RST or FIN before the response headers. */
    static final String RESETS = "sk-soak-reset";
    /** Never answers: the gateway's first-byte timeout ends it. */
    static final String STALLS = "sk-soak-stall";

    /** A request whose user text contains this gets a long stream (~40 KB), for the slow and stalling readers. */
    static final String LONG = "long-answer";
    /** A request whose user text contains this gets a stream of ~4 MB, more than a stalled reader's buffers hold. */
    static final String HUGE = "huge-answer";

    private SoakFaults() {}

    /** The fault for one request, chosen by its token and a die roll. */
    static Fault choose(FaultAttempt attempt) {
        String token = attempt.token();
        if (token == null) {
            return null; // unscripted: the upstream's marked 500
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean stream = attempt.bodyText().contains("\"stream\":true");
        boolean longAnswer = attempt.bodyText().contains(LONG);
        if (stream && attempt.bodyText().contains(HUGE) && (token.equals(OK_BACKUP_1) || token.equals(OK_BACKUP_2))) {
            return huge();
        }
        return switch (token) {
            case OK_BACKUP_1, OK_BACKUP_2 -> healthy(stream, longAnswer, random);
            case OK_PRIMARY -> {
                int roll = random.nextInt(100);
                if (!stream || roll >= 9) {
                    yield healthy(stream, longAnswer, random);
                }
                Fault.Sse started = Fault.sse().event(role()).event(chunk("partial-")).event(chunk("answer"));
                yield roll < 3 ? started.thenReset() : roll < 6 ? started.thenFin() : started.thenStall();
            }
            case RATE_LIMITED -> Fault.status(429).header("Retry-After", "1").json(
                    error("Rate limit reached for requests", "requests", "rate_limit_exceeded"));
            case FLAKY -> {
                int roll = random.nextInt(100);
                if (roll < 15) {
                    yield Fault.status(500).json(error("The server had an error", "server_error", null));
                } else if (roll < 30) {
                    yield Fault.status(502).html("<html><body>502 Bad Gateway</body></html>");
                } else if (roll < 40) {
                    yield Fault.status(503).json(error("The engine is currently overloaded", "server_error", null));
                } else if (roll < 50 && stream) {
                    yield Fault.sse().event(role()).thenReset(); // 200, then gone before any content
                }
                yield healthy(stream, longAnswer, random);
            }
            case RESETS -> random.nextBoolean() ? Fault.resetBeforeHeaders() : Fault.closeBeforeHeaders();
            case STALLS -> Fault.stall();
            default -> null;
        };
    }

    private static Fault healthy(boolean stream, boolean longAnswer, ThreadLocalRandom random) {
        if (!stream) {
            return Fault.delayed(Duration.ofMillis(random.nextInt(30)), Fault.status(200).json(completion()));
        }
        Fault.Sse sse = Fault.sse().event(role());
        if (longAnswer) {
            String words = "lorem ipsum dolor sit amet ".repeat(12);
            for (int i = 0; i < 100; i++) {
                sse.event(chunk(i + " " + words));
            }
        } else {
            int events = 3 + random.nextInt(10);
            for (int i = 0; i < events; i++) {
                sse.event(chunk("token-" + i + " "));
                if (random.nextInt(4) == 0) {
                    sse.pause(Duration.ofMillis(5 + random.nextInt(40)));
                }
            }
        }
        return sse.event(finish()).done();
    }

    private static Fault huge() {
        Fault.Sse sse = Fault.sse().event(role());
        String words = "lorem ipsum dolor sit amet ".repeat(36);
        for (int i = 0; i < 4000; i++) {
            sse.event(chunk(i + " " + words));
        }
        return sse.event(finish()).done();
    }

    private static String role() {
        return "{\"id\":\"chatcmpl-soak\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-soak\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}";
    }

    private static String chunk(String content) {
        return "{\"id\":\"chatcmpl-soak\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-soak\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}";
    }

    private static String finish() {
        return "{\"id\":\"chatcmpl-soak\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-soak\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    }

    private static String completion() {
        return "{\"id\":\"chatcmpl-soak\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-soak\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"soaked\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                + "\"total_tokens\":4}}";
    }

    private static String error(String message, String type, String code) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }
}
