package io.flux.media.rest.internal;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.flux.media.api.health.InfoContributor;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.server.ServerEnvironment;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Version, uptime and what each {@link InfoContributor} adds (active features, backend choices). */
@Component(service = InfoResource.class)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("info")
@Produces(MediaType.APPLICATION_JSON)
public class InfoResource {

    private static final Logger LOG = LoggerFactory.getLogger(InfoResource.class);

    private final ServerEnvironment server;
    private final CopyOnWriteArrayList<InfoContributor> contributors = new CopyOnWriteArrayList<>();

    @Activate
    public InfoResource(@Reference ServerEnvironment server) {
        this.server = server;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addContributor(InfoContributor c) {
        contributors.add(c);
    }

    void removeContributor(InfoContributor c) {
        contributors.remove(c);
    }

    @GET
    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", "Flux Media Server");
        info.put("version", server.version());
        info.put("started_at", server.startedAt());
        info.put("uptime_seconds", Duration.between(server.startedAt(), Instant.now()).toSeconds());
        info.put("java", Runtime.version().toString());
        info.put("pid", ManagementFactory.getRuntimeMXBean().getPid());
        for (InfoContributor c : contributors) {
            try {
                info.put(c.name(), c.info());
            } catch (RuntimeException e) {
                LOG.warn("Info contributor {} failed", c.getClass().getName(), e);
            }
        }
        return info;
    }
}
