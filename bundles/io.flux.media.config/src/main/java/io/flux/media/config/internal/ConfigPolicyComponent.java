package io.flux.media.config.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration policy at run time: a {@link ConfigurationPlugin} that sees every configuration
 * delivery (Felix SCR asks Config Admin for processed properties) and keeps restart-only changes away
 * from running components, whether they come from the REST API, the Web Console or a file.
 */
@Component(service = { ConfigurationPlugin.class, ConfigurationListener.class, ConfigPolicy.class },
        immediate = true, property = ConfigurationPlugin.CM_RANKING + ":Integer=" + ConfigPolicyComponent.CM_RANKING)
public class ConfigPolicyComponent implements ConfigurationPlugin, ConfigurationListener, ConfigPolicy {

    /**
     * Plugins run in ascending {@code service.cmRanking}; 1000 is the highest ranking whose changes
     * Config Admin still honours, so this plugin has the last word.
     */
    static final int CM_RANKING = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ConfigPolicyComponent.class);

    private final ServiceComponentRuntime scr;
    private final ConfigurationAdmin configAdmin;
    private final BundleContext context;
    private final RestartGuard guard = new RestartGuard();
    private final BundleListener bundleListener = this::bundleChanged;

    @Activate
    public ConfigPolicyComponent(@Reference ServiceComponentRuntime scr, @Reference ConfigurationAdmin configAdmin,
            BundleContext context) {
        this.scr = scr;
        this.configAdmin = configAdmin;
        this.context = context;
        // Listen first, then seed: a bundle starting in between is covered by one or the other.
        context.addBundleListener(bundleListener);
        seedRunningComponents();
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(bundleListener);
    }

    @Override
    public Declarations declarations() {
        return Declarations.of(scr.getComponentDescriptionDTOs());
    }

    @Override
    public RestartGuard guard() {
        return guard;
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (!(properties.get(Constants.SERVICE_PID) instanceof String pid)) {
            return;
        }
        String factoryPid = properties.get(ConfigurationAdmin.SERVICE_FACTORYPID) instanceof String f ? f : null;
        try {
            Optional<Declarations.ManagedPid> managed = declarations().managed(Declarations.policyPid(pid, factoryPid));
            Set<String> held = guard.process(pid, properties,
                    managed.map(Declarations.ManagedPid::hotFields).orElse(null));
            if (!held.isEmpty()) {
                LOG.info("Configuration {}: restart-only field(s) {} changed; the running component keeps its current "
                        + "values until the server restarts (GET /api/v1/config/{} lists them under pending_restart)",
                        pid, held, pid);
            }
        } catch (RuntimeException e) {
            LOG.error("Config policy could not process a delivery of {}; it passes unchanged", pid, e);
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() != ConfigurationEvent.CM_DELETED) {
            return;
        }
        String pid = event.getPid();
        if (event.getFactoryPid() != null) {
            guard.forget(pid);
            return;
        }
        boolean runsOnDefaults = declarations().managed(Declarations.policyPid(pid, null))
                .map(Declarations.ManagedPid::runsWithoutConfiguration).orElse(false);
        // SCR hands a deleted configuration's defaults to the component without asking plugins.
        if (runsOnDefaults) {
            guard.resetToDefaults(pid);
        } else {
            guard.forget(pid);
        }
    }

    /**
     * Components activated before this one got the configurations that exist now; components without a
     * configuration run on their defaults.
     */
    private void seedRunningComponents() {
        Declarations declared = declarations();
        Set<String> withConfiguration = new HashSet<>();
        try {
            Configuration[] all = configAdmin.listConfigurations(null);
            if (all != null) {
                for (Configuration configuration : all) {
                    String pid = configuration.getPid();
                    withConfiguration.add(pid);
                    String policyPid = Declarations.policyPid(pid, configuration.getFactoryPid());
                    if (declared.managed(policyPid).isPresent()) {
                        guard.seed(pid, Values.fields(configuration.getProperties()));
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            LOG.warn("Cannot list configurations to seed the config policy; first deliveries will seed it", e);
        }
        for (Declarations.ManagedPid managed : declared.managed()) {
            if (managed.runsWithoutConfiguration() && !withConfiguration.contains(managed.pid())) {
                guard.seed(managed.pid(), java.util.Map.of());
            }
        }
        LOG.debug("Config policy manages {}", declared.managed());
    }

    private void bundleChanged(BundleEvent event) {
        if (event.getType() != BundleEvent.STARTED) {
            return;
        }
        Bundle bundle = event.getBundle();
        try {
            // A component of a bundle started without a configuration is running on its defaults now.
            for (Declarations.ManagedPid managed : Declarations.of(scr.getComponentDescriptionDTOs(bundle)).managed()) {
                if (managed.runsWithoutConfiguration() && guard.status(managed.pid()).isEmpty()
                        && !hasConfiguration(managed.pid())) {
                    guard.seed(managed.pid(), java.util.Map.of());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Cannot read the components of bundle {}", bundle.getSymbolicName(), e);
        }
    }

    private boolean hasConfiguration(String pid) {
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.pid=" + ConfigService.escape(pid) + ")");
            return found != null && found.length > 0;
        } catch (IOException | InvalidSyntaxException e) {
            return true; // unknown: better not to claim the component runs on defaults
        }
    }
}
