package dev.switchboard.vendor.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.openai.ApiException;
import dev.switchboard.openai.Json;
import java.util.Locale;
import java.util.Map;

/** OpenAI image and audio content parts → Gemini {@code inlineData} / {@code fileData} parts. Thread-safe. */
final class GeminiMedia {
    private static final Map<String, String> IMAGE_TYPES = Map.of(
            "png", "image/png",
            "jpg", "image/jpeg",
            "jpeg", "image/jpeg",
            "gif", "image/gif",
            "webp", "image/webp",
            "heic", "image/heic",
            "heif", "image/heif");
    private static final Map<String, String> AUDIO_TYPES = Map.of("wav", "audio/wav", "mp3", "audio/mp3");

    private GeminiMedia() {}

    /**
     * A {@code data:<mime>;base64,} URL becomes {@code inlineData}; an {@code https} URL becomes {@code fileData},
     * typed by its extension. The gateway does not download images: Gemini fetches the URI itself, which works for
     * Files-API, GCS and YouTube URIs (WIRE-FORMATS.md §3.2); other hosts fail at Gemini with its own message.
     */
    static ObjectNode image(String url, String param) throws ApiException {
        ObjectNode part = Json.MAPPER.createObjectNode();
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            String header = comma < 0 ? "" : url.substring(5, comma);
            if (!header.endsWith(";base64") || header.length() == ";base64".length()) {
                throw GeminiRequests.unsupported(param, "'" + param
                        + "' must be a base64 data URL such as data:image/png;base64,... for Gemini.");
            }
            ObjectNode inlineData = part.putObject("inlineData");
            inlineData.put("mimeType", header.substring(0, header.length() - ";base64".length()));
            inlineData.put("data", url.substring(comma + 1));
            return part;
        }
        if (url.regionMatches(true, 0, "https://", 0, 8)) {
            ObjectNode fileData = part.putObject("fileData");
            fileData.put("mimeType", imageType(url));
            fileData.put("fileUri", url);
            return part;
        }
        throw GeminiRequests.unsupported(param, "'" + param + "' must be an https URL or a base64 data URL for Gemini.");
    }

    static ObjectNode audio(JsonNode inputAudio, String param) throws ApiException {
        String mimeType = AUDIO_TYPES.get(inputAudio.path("format").asText().toLowerCase(Locale.ROOT));
        if (mimeType == null) {
            throw GeminiRequests.unsupported(param + ".format", "Audio format must be wav or mp3.");
        }
        ObjectNode part = Json.MAPPER.createObjectNode();
        ObjectNode inlineData = part.putObject("inlineData");
        inlineData.put("mimeType", mimeType);
        inlineData.put("data", inputAudio.path("data").asText());
        return part;
    }

    /** From the path's extension; Gemini needs a type and JPEG is the most common photo format. */
    private static String imageType(String url) {
        String path = url;
        int end = indexOfAny(path, '?', '#');
        if (end >= 0) {
            path = path.substring(0, end);
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot <= slash) {
            return "image/jpeg";
        }
        return IMAGE_TYPES.getOrDefault(path.substring(dot + 1).toLowerCase(Locale.ROOT), "image/jpeg");
    }

    private static int indexOfAny(String text, char a, char b) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == a || text.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
