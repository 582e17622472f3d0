package dev.switchboard.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The deployment of every integration test: the real WAR the build produced ({@code target/switchboard.war}),
 * imported as {@value #NAME} so its context root is {@code /switchboard} on every container.
 *
 * <pre>{@code
 * @ExtendWith(ArquillianExtension.class)
 * class SomethingIT {
 *     @RegisterExtension
 *     static final FakeUpstream upstream = FakeUpstream.start();
 *
 *     @Deployment(testable = false)
 *     static WebArchive deployment() {
 *         Deployments.writeConfig(...);   // e.g. pointing a platform at upstream.uri("/v1")
 *         return Deployments.war();
 *     }
 *
 *     @ArquillianResource
 *     URL base; // http://127.0.0.1:port/switchboard/
 * }
 * }</pre>
 *
 * <p>The gateway reads its configuration when it is deployed, from the file named by the system property
 * {@code switchboard.config}; the pom passes the same path to the tests and to every container's JVM. So a test class
 * writes the configuration it wants to that file in its {@code @Deployment} method, before returning the archive.
 */
public final class Deployments {
    /** The archive name, which fixes the context root {@code /switchboard}. */
    public static final String NAME = "switchboard.war";

    /** The license key the default configuration accepts (only its SHA-256 is in the file). */
    public static final String LICENSE_KEY = "sb-it-license-key";

    private static final String DEFAULT_CONFIG = "/it-config/switchboard-it.json";

    private Deployments() {}

    /** The WAR as built. Write the configuration first ({@link #writeConfig}): the gateway reads it on deployment. */
    public static WebArchive war() {
        createLogDirectory();
        Path war = Path.of(System.getProperty("it.war", "target/" + NAME));
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException(war.toAbsolutePath() + " does not exist: run the tests with `mvn verify`,"
                    + " whose package phase builds it");
        }
        return ShrinkWrap.create(ZipImporter.class, NAME).importFrom(war.toFile()).as(WebArchive.class);
    }

    /** Writes {@code configJson} where the gateway will read it when the next deployment starts. */
    public static void writeConfig(String configJson) {
        Path file = configFile();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, configJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the gateway configuration " + file, e);
        }
    }

    /** A minimal valid configuration: license {@link #LICENSE_KEY} for every platform, one {@code mock} platform. */
    public static String defaultConfig() {
        try (InputStream in = Deployments.class.getResourceAsStream(DEFAULT_CONFIG)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_CONFIG + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file the gateway reads its configuration from (system property {@code switchboard.config}). */
    public static Path configFile() {
        String file = System.getProperty("switchboard.config");
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("system property switchboard.config is not set: run the tests with"
                    + " `mvn verify`, whose failsafe executions set it");
        }
        return Path.of(file);
    }

    /** The container this run deploys to: {@code tomcat}, {@code jetty} or {@code wildfly}. */
    public static String container() {
        return System.getProperty("arquillian.launch", "");
    }

    /** {@code relative} (no leading slash) resolved against the deployment's base URL. */
    public static URI uri(URL base, String relative) {
        try {
            return base.toURI().resolve(relative);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(base.toString(), e);
        }
    }

    /** The product writes its log to {@code switchboard.log.file}; its directory must exist. */
    private static void createLogDirectory() {
        String logFile = System.getProperty("switchboard.log.file");
        if (logFile == null || logFile.isBlank()) {
            return;
        }
        try {
            Files.createDirectories(Path.of(logFile).toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + logFile, e);
        }
    }
}
