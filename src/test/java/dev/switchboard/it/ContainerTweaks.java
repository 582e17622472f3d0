package dev.switchboard.it;

import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Test-only Arquillian extension (listed in META-INF/services): free ports for every container, plus fixes to the
 * embedded adapters that register only when their adapter is on the classpath (each failsafe execution keeps just
 * one), so the other containers' runs never load the classes behind them.
 */
public final class ContainerTweaks implements LoadableExtension {
    static final String JETTY_ADAPTER = "org.jboss.arquillian.container.jetty.embedded_12_ee10.JettyEmbeddedContainer";

    @Override
    public void register(ExtensionBuilder builder) {
        builder.observer(FreePorts.class);
        if (present(JETTY_ADAPTER)) {
            JettyTweaks.register(builder);
        }
        if (present(FreePorts.TOMCAT_ADAPTER)) {
            TomcatTweaks.register(builder);
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ContainerTweaks.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
