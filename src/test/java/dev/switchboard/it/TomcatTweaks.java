package dev.switchboard.it;

import java.lang.reflect.Field;
import org.apache.catalina.Container;
import org.apache.catalina.ContainerEvent;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jboss.arquillian.container.spi.event.container.AfterStart;
import org.jboss.arquillian.container.tomcat.embedded.Tomcat10EmbeddedContainer;
import org.jboss.arquillian.container.tomcat.embedded.TomcatEmbeddedConfiguration;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension.ExtensionBuilder;

/**
 * Two fixes to the Tomcat embedded adapter 1.2.0, applied right after it starts Tomcat (there is no earlier hook; the
 * adapter's fields are private, hence the reflection). Registered by {@link ContainerTweaks} only.
 * <ul>
 *   <li>It uses {@code bindAddress} only as the host name and leaves the HTTP connector on every interface: swap the
 *       connector for one bound to {@code bindAddress} on the same port (the port the adapter reports to tests). The
 *       new connector also gets the one setting of the shipped {@code server-configs/tomcat/server.xml} that the
 *       gateway's correctness depends on, {@code processorCache="0"} (why: that directory's README); without it
 *       SoakIT loses a request now and then.
 *   <li>Its default web.xml declares Tomcat's JSP servlet, whose Jasper jar is not on the registry at 10.1.59, so every
 *       deployment logged a SEVERE ClassNotFoundException: drop that servlet from each web app before it loads.
 * </ul>
 */
public final class TomcatTweaks {

    static void register(ExtensionBuilder builder) {
        builder.observer(TomcatTweaks.class);
    }

    public void afterStart(@Observes AfterStart event) throws ReflectiveOperationException, LifecycleException {
        if (!(event.getDeployableContainer() instanceof Tomcat10EmbeddedContainer container)) {
            return;
        }
        String address = ((TomcatEmbeddedConfiguration) field(container, "configuration")).getBindAddress();
        Tomcat tomcat = (Tomcat) field(container, "tomcat");
        bindTo(address, tomcat.getService());
        for (Container host : tomcat.getEngine().findChildren()) {
            host.addContainerListener(TomcatTweaks::withoutJsp);
        }
    }

    private static void bindTo(String address, Service service) throws LifecycleException {
        for (Connector wildcard : service.findConnectors()) {
            if (wildcard.getProperty("address") != null) {
                continue;
            }
            Connector bound = new Connector(wildcard.getProtocolHandlerClassName());
            bound.setPort(wildcard.getPort());
            bound.setProperty("address", address);
            bound.setProperty("processorCache", "0");
            service.removeConnector(wildcard); // stops it
            wildcard.destroy(); // releases the wildcard socket, so the new connector can bind the port
            service.addConnector(bound); // starts it: the service is running
        }
    }

    /** Host listener: a web app was added (fired before it starts). */
    private static void withoutJsp(ContainerEvent event) {
        if (Container.ADD_CHILD_EVENT.equals(event.getType()) && event.getData() instanceof Context context) {
            context.addLifecycleListener(TomcatTweaks::removeJspServlet);
        }
    }

    /** Runs after the adapter's ContextConfig (registered earlier) declared the servlets, before they load. */
    private static void removeJspServlet(LifecycleEvent event) {
        if (!Lifecycle.CONFIGURE_START_EVENT.equals(event.getType())) {
            return;
        }
        Context context = (Context) event.getLifecycle();
        Container jsp = context.findChild("jsp");
        if (jsp != null) {
            context.removeChild(jsp);
        }
    }

    private static Object field(Tomcat10EmbeddedContainer container, String name) throws ReflectiveOperationException {
        Field field = Tomcat10EmbeddedContainer.class.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(container);
    }
}
