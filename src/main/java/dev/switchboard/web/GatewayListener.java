package dev.switchboard.web;

import dev.switchboard.auth.Apps;
import dev.switchboard.auth.AuthFailureThrottle;
import dev.switchboard.auth.LicenseFilter;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.limit.CallerLimiter;
import dev.switchboard.limit.InFlightLimit;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Builds the {@link Gateway} when the WAR is deployed and closes it when undeployed. A configuration that cannot be
 * used fails the deployment, with the loader's message naming the file, the field and the problem.
 */
public final class GatewayListener implements ServletContextListener {
    private static final Logger LOG = LogManager.getLogger(GatewayListener.class);

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            Path file = ConfigLoader.locate(System::getenv, System::getProperty);
            GatewayConfig config = ConfigLoader.load(file, System::getenv);
            Gateway gateway = new Gateway(config);
            event.getServletContext().setAttribute(Gateway.ATTRIBUTE, gateway);
            event.getServletContext().setAttribute(LicenseFilter.LICENSES_ATTRIBUTE, gateway.licenses);
            event.getServletContext().setAttribute(LicenseFilter.APPS_ATTRIBUTE, new Apps(config.apps()));
            event.getServletContext().setAttribute(InFlightLimit.ATTRIBUTE,
                    new InFlightLimit(config.limits().maxInFlight()));
            event.getServletContext().setAttribute(CallerLimiter.ATTRIBUTE, CallerLimiter.of(config, System::nanoTime));
            event.getServletContext().setAttribute(AuthFailureThrottle.ATTRIBUTE,
                    AuthFailureThrottle.of(config.limits(), System::nanoTime));
            LOG.info("Switchboard started: {} platform(s) {}, {} license(s), {} app(s), config {}",
                    config.platforms().size(), config.platforms().keySet(), config.licenses().size(),
                    config.apps().size(), file);
        } catch (ConfigException e) {
            LOG.error("Switchboard cannot start: {}", e.getMessage());
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Gateway gateway = Gateway.of(event.getServletContext());
        if (gateway == null) {
            return;
        }
        try {
            gateway.close();
        } catch (IOException e) {
            LOG.warn("closing the upstream client failed: {}", e.toString());
        }
    }
}
