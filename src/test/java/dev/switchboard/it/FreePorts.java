package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.arquillian.config.descriptor.api.ContainerDef;
import org.jboss.arquillian.container.spi.Container;
import org.jboss.arquillian.container.spi.ContainerRegistry;
import org.jboss.arquillian.container.spi.event.container.BeforeSetup;
import org.jboss.arquillian.core.api.Instance;
import org.jboss.arquillian.core.api.annotation.Inject;
import org.jboss.arquillian.core.api.annotation.Observes;

/**
 * Gives Tomcat and WildFly ports nobody holds, chosen just before the adapter reads its configuration: several
 * builds (other work trees, a CI run, a developer's {@code cargo:run}) share this machine's loopback, so fixed ports
 * collide. Jetty needs no help: its adapter binds port 0 and reports the bound port.
 * <ul>
 *   <li>Tomcat: {@code bindHttpPort} 0 (the default, system property {@code it.tomcat.port}) becomes a free port, since
 *       the adapter reports the configured port to the tests rather than the bound one.
 *   <li>WildFly: system property {@code it.wildfly.port.offset}, {@code auto} (the default) or a number, becomes
 *       {@code -Djboss.socket.binding.port-offset} and {@code managementPort} = 9990 + offset; {@code auto} picks an
 *       offset under which all of WildFly's standard sockets are free.
 * </ul>
 */
public final class FreePorts {
    static final String TOMCAT_ADAPTER = "org.jboss.arquillian.container.tomcat.embedded.Tomcat10EmbeddedContainer";
    static final String WILDFLY_ADAPTER = "org.jboss.as.arquillian.container.managed.ManagedDeployableContainer";

    /** standalone.xml's socket bindings: ajp, http, https, management http and https, transaction recovery. */
    private static final int[] WILDFLY_PORTS = {8009, 8080, 8443, 9990, 9993, 4712, 4713};
    /** Offsets keep every WildFly port between 14712 and 31993: above common services, below Linux's ephemeral range. */
    private static final int MIN_OFFSET = 10_000;
    private static final int MAX_OFFSET = 22_000;

    @Inject
    private Instance<ContainerRegistry> registry;

    public void beforeSetup(@Observes BeforeSetup event) {
        String adapter = event.getDeployableContainer().getClass().getName();
        for (Container<?> container : registry.get().getContainers()) {
            if (container.getDeployableContainer() != event.getDeployableContainer()) {
                continue;
            }
            ContainerDef config = container.getContainerConfiguration();
            if (adapter.equals(TOMCAT_ADAPTER) && "0".equals(config.getContainerProperty("bindHttpPort"))) {
                config.overrideProperty("bindHttpPort", String.valueOf(freePort()));
            } else if (adapter.equals(WILDFLY_ADAPTER)) {
                String setting = System.getProperty("it.wildfly.port.offset", "auto").trim();
                int offset = setting.equals("auto") ? freeOffset() : Integer.parseInt(setting);
                String jvm = config.getContainerProperties().getOrDefault("javaVmArguments", "");
                config.overrideProperty("javaVmArguments", jvm + " -Djboss.socket.binding.port-offset=" + offset);
                config.overrideProperty("managementPort", String.valueOf(9990 + offset));
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static int freeOffset() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(MIN_OFFSET, MAX_OFFSET);
            if (allFree(offset)) {
                return offset;
            }
        }
        throw new IllegalStateException("no port offset with all WildFly ports free; set -Dit.wildfly.port.offset=N");
    }

    private static boolean allFree(int offset) {
        for (int port : WILDFLY_PORTS) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port + offset), 1);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
