package dev.switchboard.it;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.jboss.arquillian.container.jetty.embedded_12_ee10.WebAppContextProcessor;
import org.jboss.arquillian.core.spi.LoadableExtension.ExtensionBuilder;
import org.jboss.shrinkwrap.api.Archive;

/**
 * Two fixes to the Jetty embedded 12 (ee10) adapter 2.0.0, applied to each web app before it starts. Registered by
 * {@link ContainerTweaks} only.
 * <ul>
 *   <li>Web apps load classes parent-first, so the test JVM's copies of the WAR's libraries would win over
 *       WEB-INF/lib; setting {@code classloaderBehavior} in arquillian.xml fails (enum conversion). Make them
 *       parent-last, as a servlet container's web apps are.
 *   <li>With {@code useArchiveNameAsContext} the adapter exports every deployment of one archive name to the same
 *       file, and Jetty's deployment manager finds apps by that file: each undeploy stopped the first deployment of
 *       the run again while the current one kept serving, so the next test class reached a web app configured for the
 *       previous class's fake upstream. arquillian.xml therefore leaves that option off (the adapter then exports to a
 *       fresh file, whose name becomes the context path), and this sets the context path from the archive name.
 * </ul>
 */
public final class JettyTweaks implements WebAppContextProcessor {

    static void register(ExtensionBuilder builder) {
        builder.service(WebAppContextProcessor.class, JettyTweaks.class);
    }

    @Override
    public void process(WebAppContext webApp, Archive<?> archive) {
        webApp.setParentLoaderPriority(false);
        String name = archive.getName();
        webApp.setContextPath("/" + (name.endsWith(".war") ? name.substring(0, name.length() - 4) : name));
    }
}
