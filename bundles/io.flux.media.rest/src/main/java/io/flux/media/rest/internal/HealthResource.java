package io.flux.media.rest.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.health.ReadinessCheck;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.Public;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness and readiness. Answering at all means the process is alive, so the plain call is always 200;
 * {@code ?probe=readiness} answers 503 while any check is down, for load balancers and orchestrators.
 * The list holds every registered {@link ReadinessCheck} plus a built-in check that no declarative
 * services component has failed or lacks a mandatory service.
 */
@Component(service = HealthResource.class)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    private static final Logger LOG = LoggerFactory.getLogger(HealthResource.class);

    public record Check(String name, boolean ready, String message, Map<String, Object> details) {
    }

    public record Health(String status, boolean live, List<Check> checks) {
    }

    private final ServiceComponentRuntime scr;
    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();

    @Activate
    public HealthResource(@Reference ServiceComponentRuntime scr) {
        this.scr = scr;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addCheck(ReadinessCheck check) {
        checks.add(check);
    }

    void removeCheck(ReadinessCheck check) {
        checks.remove(check);
    }

    @GET
    @Public
    public Response health(@QueryParam("probe") String probe) {
        List<Check> results = new ArrayList<>();
        results.add(components());
        for (ReadinessCheck c : checks) {
            results.add(run(c));
        }
        results.sort(Comparator.comparing(Check::name));
        boolean ready = results.stream().allMatch(Check::ready);
        Health body = new Health(ready ? "UP" : "DEGRADED", true, results);
        int status = "readiness".equals(probe) && !ready ? 503 : 200;
        return Response.status(status).entity(body).build();
    }

    private static Check run(ReadinessCheck c) {
        String name;
        try {
            name = c.name();
            Readiness r = c.check();
            return new Check(name, r.ready(), r.message(), r.details().isEmpty() ? null : r.details());
        } catch (RuntimeException e) {
            LOG.warn("Readiness check {} failed", c.getClass().getName(), e);
            return new Check(c.getClass().getSimpleName(), false, "check failed: " + e, null);
        }
    }

    /** Components that are enabled and configured but cannot run are a readiness problem worth naming. */
    Check components() {
        List<String> broken = new ArrayList<>();
        int active = 0;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                switch (c.state) {
                    case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED -> active++;
                    case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> broken.add(d.name + " (missing "
                            + String.join(", ", java.util.Arrays.stream(c.unsatisfiedReferences)
                                    .map(u -> u.name).toList()) + ")");
                    case ComponentConfigurationDTO.FAILED_ACTIVATION -> broken.add(d.name + " (activation failed: "
                            + c.failure + ")");
                    default -> broken.add(d.name + " (state " + c.state + ")");
                }
            }
        }
        String message = broken.isEmpty() ? active + " components running"
                : broken.size() + " components not running";
        return new Check("components", broken.isEmpty(), message,
                broken.isEmpty() ? null : Map.of("not_running", broken));
    }
}
