package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Smoke test of the deployment itself: the real WAR deploys under /switchboard and answers its health check. */
@ExtendWith(ArquillianExtension.class)
class HealthIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        Deployments.writeConfig(Deployments.defaultConfig());
        return Deployments.war();
    }

    @ArquillianResource
    private URL base;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void deployedUnderItsContextRootOnLoopback() {
        assertEquals("127.0.0.1", base.getHost(), Deployments.container());
        assertEquals("/switchboard/", base.getPath(), Deployments.container());
    }

    @Test
    void healthzAnswersOkAsJson() throws Exception {
        HttpResponse<String> clientResponse = client.send(
                HttpRequest.newBuilder(Deployments.uri(base, "healthz")).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, clientResponse.statusCode());
        String contentType = clientResponse.headers().firstValue("Content-Type").orElse("");
        assertEquals("application/json", contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT), contentType);
        assertEquals("{\"status\":\"ok\"}", clientResponse.body());
    }
}
