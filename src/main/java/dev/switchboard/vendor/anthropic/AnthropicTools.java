package dev.switchboard.vendor.anthropic;

import static dev.switchboard.vendor.anthropic.AnthropicRequests.invalid;
import static dev.switchboard.vendor.anthropic.AnthropicRequests.invalidType;
import static dev.switchboard.vendor.anthropic.AnthropicRequests.present;
import static dev.switchboard.vendor.anthropic.AnthropicRequests.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.Json;

/**
 * OpenAI {@code tools}, {@code tool_choice} and {@code parallel_tool_calls} → Anthropic {@code tools} and
 * {@code tool_choice} (WIRE-FORMATS.md §2.2; docs:parallel-tool-use for {@code disable_parallel_tool_use}).
 */
final class AnthropicTools {
    private AnthropicTools() {}

    static void map(ObjectNode clientBody, ObjectNode upstreamBody) throws ApiException {
        JsonNode tools = clientBody.get("tools");
        JsonNode toolChoice = clientBody.get("tool_choice");
        boolean noParallel = clientBody.path("parallel_tool_calls").isBoolean()
                && !clientBody.get("parallel_tool_calls").booleanValue();
        if (!present(tools) || tools.isEmpty()) {
            if (present(toolChoice) && !(toolChoice.isTextual()
                    && ("none".equals(toolChoice.textValue()) || "auto".equals(toolChoice.textValue())))) {
                throw invalid("tool_choice", "'tool_choice' needs 'tools'.");
            }
            return;
        }
        if (!tools.isArray()) {
            throw invalidType("tools", "an array");
        }
        ArrayNode upstreamTools = upstreamBody.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            upstreamTools.add(tool(tools.get(i), "tools[" + i + "]"));
        }
        ObjectNode choice = toolChoice(toolChoice);
        if (noParallel && !"none".equals(choice.get("type").textValue())) {
            choice.put("disable_parallel_tool_use", true);
        }
        if (present(toolChoice) || noParallel) {
            upstreamBody.set("tool_choice", choice);
        }
    }

    private static ObjectNode tool(JsonNode tool, String param) throws ApiException {
        if (!tool.isObject()) {
            throw invalidType(param, "an object");
        }
        if (!"function".equals(tool.path("type").asText())) {
            throw unsupported(param + ".type", "Only 'function' tools are supported for this model.");
        }
        JsonNode function = tool.get("function");
        if (function == null || !function.isObject()) {
            throw invalidType(param + ".function", "an object");
        }
        JsonNode name = function.get("name");
        if (name == null || !name.isTextual()) {
            throw invalidType(param + ".function.name", "a string");
        }
        ObjectNode upstreamTool = Json.MAPPER.createObjectNode();
        upstreamTool.put("name", name.textValue());
        JsonNode description = function.get("description");
        if (description != null && description.isTextual()) {
            upstreamTool.put("description", description.textValue());
        }
        JsonNode parameters = function.get("parameters");
        if (present(parameters)) {
            if (!parameters.isObject()) {
                throw invalidType(param + ".function.parameters", "a JSON Schema object");
            }
            upstreamTool.set("input_schema", parameters);
        } else {
            // OpenAI: no parameters means none; Anthropic requires an object schema.
            upstreamTool.putObject("input_schema").put("type", "object").putObject("properties");
        }
        return upstreamTool;
    }

    private static ObjectNode toolChoice(JsonNode toolChoice) throws ApiException {
        ObjectNode choice = Json.MAPPER.createObjectNode();
        if (!present(toolChoice)) {
            return choice.put("type", "auto");
        }
        if (toolChoice.isTextual()) {
            return switch (toolChoice.textValue()) {
                case "auto" -> choice.put("type", "auto");
                case "required" -> choice.put("type", "any");
                case "none" -> choice.put("type", "none");
                default -> throw invalid("tool_choice", "Unknown 'tool_choice' '" + toolChoice.textValue() + "'.");
            };
        }
        if (toolChoice.isObject() && "function".equals(toolChoice.path("type").asText())) {
            JsonNode name = toolChoice.path("function").get("name");
            if (name == null || !name.isTextual()) {
                throw invalidType("tool_choice.function.name", "a string");
            }
            return choice.put("type", "tool").put("name", name.textValue());
        }
        throw unsupported("tool_choice", "Only 'none', 'auto', 'required' and a named function are supported.");
    }
}
