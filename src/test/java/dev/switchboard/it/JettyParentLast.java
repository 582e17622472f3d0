package dev.switchboard.it;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.jboss.arquillian.container.jetty.embedded_12_ee10.WebAppContextProcessor;
import org.jboss.arquillian.core.spi.LoadableExtension.ExtensionBuilder;
import org.jboss.shrinkwrap.api.Archive;

/**
 * Jetty embedded 12 (ee10) adapter: its web apps load classes parent-first, so the test JVM's copies of the WAR's
 * libraries (Log4j, HttpClient 5, ...) would win over WEB-INF/lib. Setting {@code classloaderBehavior} in
 * arquillian.xml fails (enum conversion), hence this processor. Registered by {@link ContainerTweaks} only.
 */
public final class JettyParentLast implements WebAppContextProcessor {

    static void register(ExtensionBuilder builder) {
        builder.service(WebAppContextProcessor.class, JettyParentLast.class);
    }

    @Override
    public void process(WebAppContext webApp, Archive<?> archive) {
        webApp.setParentLoaderPriority(false);
    }
}
