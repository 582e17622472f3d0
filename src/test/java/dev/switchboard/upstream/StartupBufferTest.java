package dev.switchboard.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.upstream.StartupBuffer.Verdict;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StartupBufferTest {
    private static final String ROLE =
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}";

    @Test
    void holdsRoleOnlyChunksThenReleasesThemWithTheFirstContent() {
        StartupBuffer buffer = new StartupBuffer(64, 256 * 1024);
        assertEquals(Verdict.HOLD, buffer.offer(ROLE));
        String text = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}";
        assertEquals(Verdict.RELEASE, buffer.offer(text));
        assertEquals(List.of(ROLE, text), buffer.release());
        assertEquals(List.of(), buffer.release());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"thinking\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"thinking\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"no\"}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\"}]}}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}",
        "[DONE]",
    })
    void contentBearingEventsCommit(String event) {
        assertEquals(Verdict.RELEASE, StartupBuffer.classify(event));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        ROLE,
        "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}",
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}],\"usage\":null}",
        "{\"choices\":[]}",
    })
    void eventsWithoutContentAreHeld(String event) {
        assertEquals(Verdict.HOLD, StartupBuffer.classify(event));
    }

    @Test
    void anErrorEventBeforeContentIsAFailureAndIsNotHeld() {
        StartupBuffer buffer = new StartupBuffer(64, 256 * 1024);
        buffer.offer(ROLE);
        assertEquals(Verdict.ERROR,
                buffer.offer("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
        assertEquals(List.of(ROLE), buffer.release());
    }

    @Test
    void commitsAnywayPastTheEventBound() {
        StartupBuffer buffer = new StartupBuffer(3, 256 * 1024);
        assertEquals(Verdict.HOLD, buffer.offer(ROLE));
        assertEquals(Verdict.HOLD, buffer.offer(ROLE));
        assertEquals(Verdict.RELEASE, buffer.offer(ROLE));
        assertEquals(3, buffer.release().size());
    }

    @Test
    void commitsAnywayPastTheByteBound() {
        StartupBuffer buffer = new StartupBuffer(64, ROLE.length() * 2);
        assertEquals(Verdict.HOLD, buffer.offer(ROLE));
        assertEquals(Verdict.RELEASE, buffer.offer(ROLE));
    }

    @Test
    void somethingThatIsNotAJsonObjectIsPassedOnRatherThanHeld() {
        assertEquals(Verdict.RELEASE, StartupBuffer.classify("not json"));
        assertEquals(Verdict.RELEASE, StartupBuffer.classify("[1,2]"));
    }
}
