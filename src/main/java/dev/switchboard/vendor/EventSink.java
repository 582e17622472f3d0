package dev.switchboard.vendor;

/** Where a {@link StreamTranslator} puts OpenAI stream events. Per-stream; used only on the translator's thread. */
public interface EventSink {

    /** One {@code data:} event; {@code json} is a single-line JSON object, or {@code [DONE]}. */
    void data(String json);
}
