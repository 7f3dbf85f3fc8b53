package io.flux.media.protocol.gb28181.remote.internal;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the remote backend on when the GB28181 mode says so: enables the directory, the backend and the two
 * filters, which are all disabled by default. The mode ({@code enabled}, {@code backend}) belongs to
 * PID {@code io.flux.media.protocol.gb28181}, whose metatype and hot/restart policy the embedded server declares;
 * both keys are restart-only, so the mode read at activation is the mode until the server restarts (the
 * configuration policy holds later changes back and reports them as pending).
 */
@Component(immediate = true, configurationPid = RemoteModeGate.MODE_PID)
public class RemoteModeGate {

    static final String MODE_PID = "io.flux.media.protocol.gb28181";

    /** The two mode keys of the embedded server's configuration (no metatype here: it is the embedded bundle's). */
    @interface Mode {
        boolean enabled() default true;

        String backend() default "embedded";
    }

    private static final Logger LOG = LoggerFactory.getLogger(RemoteModeGate.class);
    static final Class<?>[] REMOTE_COMPONENTS = { NodeDirectory.class, RemoteBackend.class, StreamForwarder.class,
        TraceFilter.class };

    @Activate
    public RemoteModeGate(ComponentContext context, Mode mode) {
        if (isRemote(mode)) {
            // All disabled by default, so that in embedded mode nothing of this bundle waits unsatisfied.
            for (Class<?> component : REMOTE_COMPONENTS) {
                context.enableComponent(component.getName());
            }
            LOG.info("GB28181 backend is remote: forwarding /api/v1/gb28181 to the nodes of {}", NodeDirectory.Config.PID);
        } else {
            LOG.info("GB28181 remote backend off ({})", mode.enabled() ? "backend is " + mode.backend() : "GB28181 disabled");
        }
    }

    static boolean isRemote(Mode mode) {
        return mode.enabled() && "remote".equals(mode.backend().strip());
    }

    @Modified
    void modified(Mode mode) {
        // Restart-only: nothing to apply live. Present so that DS does not restart the gate on every change.
    }
}
