package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiException;

/** OpenAI {@code tools} and {@code tool_choice} → Gemini {@code tools} and {@code toolConfig}. Thread-safe. */
final class GeminiTools {
    private GeminiTools() {}

    static void tools(JsonNode tools, ObjectNode upstreamBody) throws ApiException {
        if (!tools.isArray()) {
            throw GeminiRequests.unsupported("tools", "'tools' must be an array.");
        }
        if (tools.isEmpty()) {
            return;
        }
        ArrayNode declarations = upstreamBody.putArray("tools").addObject().putArray("functionDeclarations");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String param = "tools[" + i + "]";
            if (!"function".equals(tool.path("type").asText())) {
                throw GeminiRequests.unsupported(param + ".type", "Only function tools are supported for Gemini.");
            }
            JsonNode function = tool.path("function");
            String name = function.path("name").asText();
            if (name.isEmpty()) {
                throw GeminiRequests.unsupported(param + ".function.name", "A function tool needs a name.");
            }
            ObjectNode declaration = declarations.addObject();
            declaration.put("name", name);
            JsonNode description = function.get("description");
            if (description != null && description.isTextual()) {
                declaration.put("description", description.textValue());
            }
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull()) {
                if (!parameters.isObject()) {
                    throw GeminiRequests.unsupported(param + ".function.parameters",
                            "'parameters' must be a JSON Schema object.");
                }
                // parametersJsonSchema takes standard JSON Schema; parameters only the OpenAPI subset (content.proto
                // FunctionDeclaration). strict has no Gemini counterpart and is dropped with the other keywords.
                declaration.set("parametersJsonSchema", GeminiSchemas.clean(parameters));
            }
        }
    }

    static void toolChoice(JsonNode toolChoice, ObjectNode upstreamBody) throws ApiException {
        ObjectNode config = upstreamBody.putObject("toolConfig").putObject("functionCallingConfig");
        if (toolChoice.isTextual()) {
            switch (toolChoice.textValue()) {
                case "auto" -> config.put("mode", "AUTO");
                case "none" -> config.put("mode", "NONE");
                case "required" -> config.put("mode", "ANY");
                default -> throw GeminiRequests.unsupported("tool_choice",
                        "tool_choice must be none, auto, required or a named function.");
            }
            return;
        }
        String name = toolChoice.path("function").path("name").asText();
        if (!"function".equals(toolChoice.path("type").asText()) || name.isEmpty()) {
            throw GeminiRequests.unsupported("tool_choice",
                    "tool_choice must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":…}}.");
        }
        config.put("mode", "ANY");
        config.putArray("allowedFunctionNames").add(name);
    }
}
