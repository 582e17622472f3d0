package dev.switchboard.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /healthz}: liveness for load balancers; needs no credentials and says nothing about the setup. */
@WebServlet(urlPatterns = "/healthz", asyncSupported = true)
public final class HealthServlet extends HttpServlet {
    private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doGet(HttpServletRequest clientRequest, HttpServletResponse clientResponse) throws IOException {
        clientResponse.setStatus(200);
        clientResponse.setContentType("application/json");
        clientResponse.setContentLength(OK.length);
        clientResponse.getOutputStream().write(OK);
    }
}
