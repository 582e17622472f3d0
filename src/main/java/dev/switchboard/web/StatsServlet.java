package dev.switchboard.web;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.switchboard.limit.InFlightLimit;
import dev.switchboard.openai.Json;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import org.apache.hc.core5.pool.PoolStats;

/**
 * {@code GET /healthz/stats}: the gateway's live counters, for operators and for the leak checks of the fault tests
 * (RELIABILITY.md "Testing on one machine": in-flight exchanges, leased connections, timers back to zero). Behind the
 * authentication filter, unlike {@code /healthz}: counts are harmless but still say something about the load.
 *
 * <p>The process figures ({@code jvmThreads}, {@code heapUsedAfterGcBytes}) let the soak test check that threads and
 * retained heap stay flat in a container that runs in another JVM (WildFly). The heap figure is what the last
 * collection of each heap pool left behind ({@link MemoryPoolMXBean#getCollectionUsage()}): it needs no collection
 * to be triggered here, and a request handler must never call {@code System.gc()}.
 */
@WebServlet(urlPatterns = "/healthz/stats", asyncSupported = true)
public final class StatsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest clientRequest, HttpServletResponse clientResponse) throws IOException {
        Gateway gateway = Gateway.of(getServletContext());
        PoolStats pool = gateway.upstreamClient().poolStats();
        var bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(bytes)) {
            json.writeStartObject();
            InFlightLimit requests = (InFlightLimit) getServletContext().getAttribute(InFlightLimit.ATTRIBUTE);
            // This request counts itself: an idle gateway shows 1.
            json.writeNumberField("requestsInFlight", requests == null ? -1 : requests.inFlight());
            json.writeNumberField("upstreamExchanges", gateway.upstreamClient().exchangesInFlight());
            json.writeNumberField("upstreamConnectionsLeased", pool.getLeased());
            json.writeNumberField("upstreamConnectionsPending", pool.getPending());
            json.writeNumberField("upstreamConnectionsAvailable", pool.getAvailable());
            json.writeNumberField("timerTasks", gateway.timerTasks());
            json.writeNumberField("clientConnectionsWatched", gateway.clientProbe().watched());
            json.writeNumberField("clientProbeScans", gateway.clientProbe().tableReads());
            json.writeNumberField("clientProbeScanMicros", gateway.clientProbe().lastScanMicros());
            json.writeNumberField("clientProbePeriodMs", gateway.clientProbe().periodMs());
            json.writeNumberField("jvmThreads", ManagementFactory.getThreadMXBean().getThreadCount());
            json.writeNumberField("heapUsedAfterGcBytes", heapUsedAfterGc());
            json.writeEndObject();
        }
        clientResponse.setStatus(200);
        clientResponse.setContentType("application/json");
        clientResponse.setContentLength(bytes.size());
        clientResponse.getOutputStream().write(bytes.toByteArray());
    }

    /** The heap the last collection of each heap pool left in use, summed; pools never collected count as 0. */
    private static long heapUsedAfterGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getType() == MemoryType.HEAP && pool.isValid() ? pool.getCollectionUsage() : null;
            if (afterGc != null) {
                used += afterGc.getUsed();
            }
        }
        return used;
    }
}
