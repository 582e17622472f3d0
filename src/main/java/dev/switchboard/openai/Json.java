package dev.switchboard.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The shared Jackson mappers; thread-safe once built. */
public final class Json {
    private Json() {}

    /** For bodies the gateway itself produces or trusts (upstream responses). */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * For caller request bodies: duplicate keys rejected (two readers of one body must not disagree about which
     * {@code model} counts) and hard limits on depth and sizes so a hostile body cannot exhaust CPU or heap.
     */
    public static ObjectMapper strictRequestMapper(int maxDepth, long maxBodyBytes) {
        int maxString = (int) Math.min(Integer.MAX_VALUE, maxBodyBytes);
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxString)
                        .maxNumberLength(64)
                        .maxNameLength(1024)
                        .build())
                .build();
        return JsonMapper.builder(factory).build();
    }
}
