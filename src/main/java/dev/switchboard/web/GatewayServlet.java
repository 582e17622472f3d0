package dev.switchboard.web;

import dev.switchboard.auth.Caller;
import dev.switchboard.limit.Admission;
import dev.switchboard.openai.ApiError;
import dev.switchboard.openai.ApiException;
import dev.switchboard.route.Platform;
import dev.switchboard.route.Router;
import dev.switchboard.sse.ClientStream;
import dev.switchboard.usage.AccessLog;
import dev.switchboard.usage.AccessRecord;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * Every API request: parses the path, finds the platform (or the model-routed router), checks method and media type, then hands
 * chat completions to an asynchronous {@link ChatCall} and answers {@code /v1/models} directly. Mapped to
 * {@code /} so that nothing reaches the container's own HTML error handling.
 */
public final class GatewayServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest clientRequest, HttpServletResponse clientResponse) throws IOException {
        Gateway gateway = Gateway.of(getServletContext());
        AccessRecord accessRecord = (AccessRecord) clientRequest.getAttribute(AccessRecord.ATTRIBUTE);
        Caller caller = (Caller) clientRequest.getAttribute(Caller.ATTRIBUTE);
        try {
            ApiPath path = ApiPath.parse(clientRequest.getRequestURI(), clientRequest.getContextPath());
            Optional<Platform> found = gateway.platforms().find(path.platform());
            if (found.isPresent()) {
                Platform platform = found.get();
                accessRecord.platform(platform.name());
                switch (path.endpoint()) {
                    case MODELS -> models(clientRequest, clientResponse, caller, platform);
                    case CHAT_COMPLETIONS -> chat(clientRequest, gateway, accessRecord, caller,
                            PlatformChooser.fixed(platform));
                }
                return;
            }
            // Not a platform: a model-routed prefix, or nothing. The access record names a platform only once one
            // is chosen from the model.
            Router router = gateway.platforms().findRouter(path.platform())
                    .orElseThrow(() -> new ApiException(ApiPath.unknownPlatform()));
            switch (path.endpoint()) {
                case MODELS -> routerModels(clientRequest, clientResponse, caller, router);
                case CHAT_COMPLETIONS -> chat(clientRequest, gateway, accessRecord, caller,
                        PlatformChooser.routed(router));
            }
        } catch (ApiException e) {
            accessRecord.errorCode(e.error().code());
            ErrorResponses.writeBeforeBody(clientRequest, clientResponse, e.error());
        }
    }

    private static void models(HttpServletRequest clientRequest, HttpServletResponse clientResponse, Caller caller,
            Platform platform) throws ApiException, IOException {
        requireMethod(clientRequest, "GET");
        if (!caller.mayUsePlatform(platform.name())) {
            throw new ApiException(ApiPath.unknownPlatform()); // indistinguishable from a platform that does not exist
        }
        byte[] body = ModelList.toJson(platform, caller::mayUseModel); // only what this caller may use
        clientResponse.setStatus(200);
        clientResponse.setContentType("application/json");
        clientResponse.setContentLength(body.length);
        clientResponse.getOutputStream().write(body);
    }

    /** The union of the router's platforms' models this caller may use, each owned by the platform it routes to. */
    private static void routerModels(HttpServletRequest clientRequest, HttpServletResponse clientResponse,
            Caller caller, Router router) throws ApiException, IOException {
        requireMethod(clientRequest, "GET");
        if (router.platforms().stream().noneMatch(platform -> caller.mayUsePlatform(platform.name()))) {
            throw new ApiException(ApiPath.unknownPlatform()); // as for a platform the caller may not use
        }
        byte[] body = ModelList.toJson(router.models(platform -> caller.mayUsePlatform(platform.name())),
                caller::mayUseModel);
        clientResponse.setStatus(200);
        clientResponse.setContentType("application/json");
        clientResponse.setContentLength(body.length);
        clientResponse.getOutputStream().write(body);
    }

    private static void chat(HttpServletRequest clientRequest, Gateway gateway, AccessRecord accessRecord,
            Caller caller, PlatformChooser chooser) throws ApiException, IOException {
        requireMethod(clientRequest, "POST");
        requireJson(clientRequest.getContentType());
        long maxBytes = gateway.config().limits().maxRequestBytes();
        long contentLength = clientRequest.getContentLengthLong();
        if (contentLength > maxBytes) {
            throw new ApiException(BodyReader.tooLarge());
        }
        AsyncContext async = clientRequest.startAsync();
        // The container's default (30 s on every container tested) would cut long streams; the platform's maximum
        // stream duration replaces it (for a router, the longest of its platforms': the choice waits for the body,
        // and the container accepts a timeout only now), and ClientStream turns the timeout into a last in-band error.
        async.setTimeout(chooser.maxStreamMs());
        AccessLog.logOnComplete(async, accessRecord);
        ClientStream clientStream = new ClientStream(async, gateway.config().limits().maxStreamBufferBytes(),
                accessRecord::firstByte, accessRecord.requestId());
        clientStream.whenFinished(Admission.handOff(clientRequest));
        ChatCall call = new ChatCall(gateway, chooser, caller, accessRecord, clientStream);
        new BodyReader(clientRequest.getInputStream(), contentLength, maxBytes, call).start();
    }

    private static void requireMethod(HttpServletRequest clientRequest, String allowed) throws ApiException {
        if (!allowed.equals(clientRequest.getMethod())) {
            throw new ApiException(ApiError.invalidRequest(405, "method_not_allowed", null,
                    "Method " + safeMethod(clientRequest.getMethod()) + " is not allowed here; use " + allowed + ".")
                    .withHeader("Allow", allowed));
        }
    }

    /** {@code application/json}, optionally with a UTF-8 charset; JSON has no other encoding (RFC 8259 §8.1). */
    static void requireJson(String contentType) throws ApiException {
        boolean ok = false;
        if (contentType != null) {
            String[] parts = contentType.split(";");
            ok = parts[0].trim().equalsIgnoreCase("application/json");
            for (int i = 1; ok && i < parts.length; i++) {
                String[] parameter = parts[i].trim().split("=", 2);
                if (parameter[0].trim().equalsIgnoreCase("charset")) {
                    String charset = parameter.length > 1 ? parameter[1].trim().replace("\"", "") : "";
                    ok = charset.toLowerCase(Locale.ROOT).matches("utf-?8");
                }
            }
        }
        if (!ok) {
            throw new ApiException(ApiError.invalidRequest(415, "unsupported_media_type", null,
                    "Send the request body as 'Content-Type: application/json'."));
        }
    }

    private static String safeMethod(String method) {
        return method != null && method.matches("[A-Z]{1,16}") ? method : "?";
    }
}
