package dev.switchboard.vendor.azure;

import dev.switchboard.openai.ApiError;
import dev.switchboard.vendor.openai.OpenAiErrors;

/**
 * Azure OpenAI error body → {@link ApiError}. Azure answers in OpenAI's {@code {"error":{…}}} shape; a blocked prompt
 * is a 400 with {@code code: "content_filter"} and Azure-only {@code innererror} details (WIRE-FORMATS.md §4), which
 * are not relayed: status, message, code and param are what OpenAI clients read.
 */
final class AzureErrors {
    private AzureErrors() {}

    static ApiError toClientError(int status, byte[] body) {
        return OpenAiErrors.toClientError(status, body);
    }
}
