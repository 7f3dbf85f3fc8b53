package io.flux.media.config.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ManagedService;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.osgi.service.metatype.MetaTypeService;

import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.RequiresRole;
import io.flux.media.api.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /api/v1/config}: read configurations and change their hot fields. Admin only, reads included. */
@Component(service = ConfigResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("config")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRole(Role.ADMIN)
public class ConfigResource {

    /** How long a PATCH waits for its hot fields to reach the component, so the answer shows them applied. */
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(2);

    private final ConfigService service;

    @Activate
    public ConfigResource(@Reference ConfigPolicy policy, @Reference ConfigurationAdmin configAdmin,
            @Reference MetaTypeService metatype, BundleContext context) {
        this.service = new ConfigService(configAdmin, new MetatypeSchemas(metatype, context), policy::declarations,
                policy.guard(), pid -> hasManagedServiceFor(context, pid), DELIVERY_WAIT);
    }

    /** Managed PIDs and their hot fields. */
    @GET
    public List<Map<String, Object>> list() {
        return service.listManaged();
    }

    @GET
    @Path("{pid}")
    public Map<String, Object> get(@PathParam("pid") String pid) {
        return service.view(pid);
    }

    @PATCH
    @Path("{pid}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> patch(@PathParam("pid") String pid, Map<String, Object> body) {
        return service.patch(pid, body);
    }

    private static boolean hasManagedServiceFor(BundleContext context, String pid) {
        String filter = "(service.pid=" + ConfigService.escape(pid) + ")";
        try {
            return context.getServiceReferences(ManagedService.class.getName(), filter) != null
                    || context.getServiceReferences(ManagedServiceFactory.class.getName(), filter) != null;
        } catch (InvalidSyntaxException e) {
            return false;
        }
    }
}
