package io.flux.media.server.internal;

import java.time.Duration;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM (and SIGINT) into an orderly framework stop: the JVM's shutdown hook stops the system bundle,
 * which stops bundles in reverse start order. Felix HTTP stops its connectors first and gives in-flight requests
 * up to {@code org.apache.felix.jetty.stopTimeout}; recorders close their segments; the database pool closes.
 * The hook waits at most {@code shutdown.timeout.ms} so a stuck bundle cannot keep the process alive forever.
 */
@Component(immediate = true, configurationPid = GracefulShutdown.Config.PID)
@Designate(ocd = GracefulShutdown.Config.class)
public final class GracefulShutdown {

    @ObjectClassDefinition(name = "Flux shutdown", description = "How the server stops on SIGTERM.")
    public @interface Config {
        String PID = "io.flux.media.server.shutdown";

        @AttributeDefinition(name = "Shutdown timeout (ms)", min = "1000",
                description = "Longest wait for all bundles to stop after SIGTERM before the JVM exits anyway. "
                        + "Restart-only.")
        long shutdown_timeout_ms() default 30_000L;
    }

    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Thread hook;
    private volatile boolean stoppingFromHook;

    @Activate
    public GracefulShutdown(BundleContext context, Config config) {
        Bundle system = context.getBundle(0);
        Duration timeout = Duration.ofMillis(config.shutdown_timeout_ms());
        this.hook = new Thread(() -> stop(system, timeout), "flux-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void stop(Bundle system, Duration timeout) {
        stoppingFromHook = true;
        if (system.getState() != Bundle.ACTIVE && system.getState() != Bundle.STARTING) {
            return;
        }
        LOG.info("Shutdown requested: stopping bundles (at most {} s)", timeout.toSeconds());
        long start = System.nanoTime();
        try {
            system.stop();
            if (system instanceof Framework framework) {
                FrameworkEvent event = framework.waitForStop(timeout.toMillis());
                if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    System.err.println("flux: bundles did not stop within " + timeout.toSeconds() + " s; exiting anyway");
                    return;
                }
            }
            // Logging is gone by now (its bundle stopped): report on the console.
            System.out.println("flux: stopped in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (BundleException | InterruptedException e) {
            System.err.println("flux: orderly shutdown failed: " + e);
        }
    }

    @Deactivate
    void deactivate() {
        if (stoppingFromHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook runs or has run.
        }
    }
}
