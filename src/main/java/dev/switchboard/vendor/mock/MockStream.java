package dev.switchboard.vendor.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.Json;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.sse.SseEvent;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Per-stream: emits a {@link MockAnswer} as OpenAI chunks on the shared timer, one step per tick, and waits for the
 * client to drain before the next step, as a real upstream is made to wait.
 */
final class MockStream implements ClientStream.Listener {
    private final MockAnswer answer;
    private final boolean includeUsage;
    private final ClientStream clientStream;
    private final ScheduledExecutorService timer;
    private final long delayMs;
    /** 0: role chunk; 1..n: words; n+1: finish; n+2: usage (if asked); then [DONE]. */
    private int step;
    private boolean waitingForDrain;
    private boolean stopped;

    MockStream(MockAnswer answer, boolean includeUsage, ClientStream clientStream, ScheduledExecutorService timer,
            long delayMs) {
        this.answer = answer;
        this.includeUsage = includeUsage;
        this.clientStream = clientStream;
        this.timer = timer;
        this.delayMs = delayMs;
    }

    void start() {
        clientStream.setListener(this);
        timer.execute(this::tick);
    }

    private void tick() {
        synchronized (clientStream) {
            if (stopped) {
                return;
            }
            if (clientStream.pendingBytes() > 0) {
                waitingForDrain = true;
                return;
            }
            if (emitStep()) {
                timer.schedule(this::tick, step <= answer.words().size() ? delayMs : 0, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Emits one step; returns whether more follow. */
    private boolean emitStep() {
        int words = answer.words().size();
        int current = step++;
        ObjectNode delta = Json.MAPPER.createObjectNode();
        if (current == 0) {
            delta.put("role", "assistant");
            delta.put("content", "");
            clientStream.event(answer.chunk(delta, null, includeUsage));
        } else if (current <= words) {
            String word = answer.words().get(current - 1);
            delta.put("content", current == 1 ? word : " " + word);
            clientStream.event(answer.chunk(delta, null, includeUsage));
        } else if (current == words + 1) {
            clientStream.event(answer.chunk(delta, "stop", includeUsage));
        } else if (current == words + 2 && includeUsage) {
            clientStream.event(answer.usageChunk());
        } else {
            clientStream.event(SseEvent.DONE);
            clientStream.endStream();
            return false;
        }
        return true;
    }

    @Override
    public void onDrained() {
        if (waitingForDrain) {
            waitingForDrain = false;
            timer.execute(this::tick);
        }
    }

    @Override
    public void onClosed(ClientStream.CloseReason reason) {
        stopped = true;
    }
}
