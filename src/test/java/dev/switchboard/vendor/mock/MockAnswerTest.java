package dev.switchboard.vendor.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ChatRequest;
import dev.switchboard.openai.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MockAnswerTest {

    @Test
    void answersTheLastUserMessageNotTheLastMessage() {
        MockAnswer answer = MockAnswer.of(request("""
                [{"role":"system","content":"be brief"},
                 {"role":"user","content":"first question"},
                 {"role":"assistant","content":"first answer"},
                 {"role":"user","content":"second question here"},
                 {"role":"assistant","content":"prefilled"}]"""));

        assertEquals(List.of("second", "question", "here"), answer.words());
    }

    @Test
    void textPartsAreJoinedAndOtherPartsSkipped() {
        MockAnswer answer = MockAnswer.of(request("""
                [{"role":"user","content":[
                    {"type":"text","text":"look at"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                    {"type":"text","text":"this picture"}]}]"""));

        assertEquals(List.of("look", "at", "this", "picture"), answer.words());
    }

    @Test
    void wordsAreSplitOnAnyWhitespace() {
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"user\",\"content\":\"  one\\ttwo\\n\\nthree   four \"}]"));

        assertEquals(List.of("one", "two", "three", "four"), answer.words());
        assertEquals(4, answer.completionTokens());
    }

    @Test
    void noUserTextMeansNoWords() {
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"system\",\"content\":\"only system\"},"
                + "{\"role\":\"user\",\"content\":null}]"));

        assertEquals(List.of(), answer.words());
    }

    @Test
    void promptTokensCountTheWordsOfEveryMessage() {
        MockAnswer answer = MockAnswer.of(request("""
                [{"role":"system","content":"be brief"},
                 {"role":"user","content":"hello there"},
                 {"role":"assistant","content":[{"type":"text","text":"hi"}]}]"""));

        assertEquals(5, answer.promptTokens());
    }

    @Test
    void completionJsonHasEverythingTheSdkNeeds() throws IOException {
        long before = Instant.now().getEpochSecond();
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"user\",\"content\":\"echo me back\"}]"));

        JsonNode completion = Json.MAPPER.readTree(answer.toCompletionJson());

        assertTrue(completion.get("id").isTextual() && !completion.get("id").textValue().isEmpty());
        assertEquals("chat.completion", completion.get("object").textValue());
        assertTrue(completion.get("created").isIntegralNumber());
        assertTrue(completion.get("created").longValue() >= before);
        assertEquals("mock-model", completion.get("model").textValue());
        assertEquals(1, completion.get("choices").size());
        JsonNode choice = completion.get("choices").get(0);
        assertEquals(0, choice.get("index").intValue());
        assertTrue(choice.get("index").isIntegralNumber());
        assertEquals("assistant", choice.at("/message/role").textValue());
        assertEquals("echo me back", choice.at("/message/content").textValue());
        assertTrue(choice.get("message").has("refusal") && choice.at("/message/refusal").isNull());
        assertTrue(choice.has("logprobs") && choice.get("logprobs").isNull());
        assertEquals("stop", choice.get("finish_reason").textValue());
        assertEquals(3, completion.at("/usage/prompt_tokens").longValue());
        assertEquals(3, completion.at("/usage/completion_tokens").longValue());
        assertEquals(6, completion.at("/usage/total_tokens").longValue());
    }

    @Test
    void chunkCarriesNullUsageWhenUsageWasAskedFor() throws IOException {
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"user\",\"content\":\"hi\"}]"));
        ObjectNode delta = Json.MAPPER.createObjectNode().put("content", "hi");

        JsonNode withUsage = Json.MAPPER.readTree(answer.chunk(delta, null, true));
        JsonNode withoutUsage = Json.MAPPER.readTree(answer.chunk(delta, null, false));

        assertTrue(withUsage.has("usage") && withUsage.get("usage").isNull());
        assertFalse(withoutUsage.has("usage"));
    }

    @Test
    void chunkHasTheFieldsOfAChatCompletionChunk() throws IOException {
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"user\",\"content\":\"hi\"}]"));

        String text = answer.chunk(Json.MAPPER.createObjectNode().put("content", "hi"), null, false);
        JsonNode chunk = Json.MAPPER.readTree(text);

        assertFalse(text.contains("\n"), "one line per SSE data field");
        assertEquals(answer.id(), chunk.get("id").textValue());
        assertEquals("chat.completion.chunk", chunk.get("object").textValue());
        assertEquals(answer.created(), chunk.get("created").longValue());
        assertEquals("mock-model", chunk.get("model").textValue());
        assertEquals(0, chunk.at("/choices/0/index").intValue());
        assertEquals("hi", chunk.at("/choices/0/delta/content").textValue());
        assertTrue(chunk.at("/choices/0/logprobs").isNull());
        assertTrue(chunk.at("/choices/0/finish_reason").isNull());
    }

    @Test
    void finishChunkNamesTheReason() throws IOException {
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"user\",\"content\":\"hi\"}]"));

        JsonNode chunk = Json.MAPPER.readTree(answer.chunk(Json.MAPPER.createObjectNode(), "stop", true));

        assertEquals("stop", chunk.at("/choices/0/finish_reason").textValue());
        assertEquals(0, chunk.at("/choices/0/delta").size());
    }

    @Test
    void usageChunkHasEmptyChoicesAndTheUsage() throws IOException {
        MockAnswer answer = MockAnswer.of(request("[{\"role\":\"user\",\"content\":\"one two\"}]"));

        JsonNode chunk = Json.MAPPER.readTree(answer.usageChunk());

        assertEquals("chat.completion.chunk", chunk.get("object").textValue());
        assertEquals(answer.id(), chunk.get("id").textValue());
        assertTrue(chunk.get("choices").isArray() && chunk.get("choices").isEmpty());
        assertEquals(2, chunk.at("/usage/prompt_tokens").longValue());
        assertEquals(2, chunk.at("/usage/completion_tokens").longValue());
        assertEquals(4, chunk.at("/usage/total_tokens").longValue());
    }

    @Test
    void eachAnswerHasItsOwnId() {
        ChatRequest clientRequest = request("[{\"role\":\"user\",\"content\":\"hi\"}]");

        assertNotEquals(MockAnswer.of(clientRequest).id(), MockAnswer.of(clientRequest).id());
    }

    private static ChatRequest request(String messages) {
        try {
            ObjectNode body = (ObjectNode) Json.MAPPER.readTree("{\"model\":\"mock-model\",\"messages\":" + messages + "}");
            return new ChatRequest("mock-model", false, false, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
