package dev.switchboard.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRecordTest {

    @Test
    void requestIdsAreReqAnd32HexDigitsAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = new AccessRecord().requestId();
            assertTrue(id.matches("req_[0-9a-f]{32}"), id);
            seen.add(id);
        }
        assertEquals(100_000, seen.size());
    }
}
