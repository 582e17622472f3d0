package dev.switchboard.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static String formatted(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }

    @Test
    void millisPrintsWhatStringFormatPrinted() {
        long[] edges = {0, 1, 4_999, 5_000, 9_999, 10_000, 14_999, 15_000, 995_000, 999_999, 1_000_000, 1_005_000,
            1_234_567, 12_345_000, 99_995_000, 123_456_789_012L, 1_800_000_000_000L};
        for (long n : edges) {
            assertEquals(formatted(n), AccessLog.millis(n), "nanos " + n);
        }
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 100_000; i++) {
            long n = random.nextLong(0, i % 2 == 0 ? 50_000_000L : 3_600_000_000_000L);
            assertEquals(formatted(n), AccessLog.millis(n), "nanos " + n);
        }
    }
}
