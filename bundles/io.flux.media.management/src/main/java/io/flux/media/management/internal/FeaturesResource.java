package io.flux.media.management.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.RequiresRole;
import io.flux.media.api.security.Role;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /api/v1/features}: list, install and uninstall named features. Admin only. */
@Component(service = FeaturesResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("features")
@Produces(MediaType.APPLICATION_JSON)
// Runtime management is admin only, reads included: bundle lists reveal what the server runs.
@RequiresRole(Role.ADMIN)
public class FeaturesResource {

    private final ManagementService management;

    @Activate
    public FeaturesResource(@Reference ManagementService management) {
        this.management = management;
    }

    @GET
    public List<FeatureView> list() {
        return management.features().list();
    }

    @GET
    @Path("{name}")
    public FeatureView get(@PathParam("name") String name) {
        return management.features().get(name);
    }

    @POST
    @Path("{name}/install")
    public FeatureView install(@PathParam("name") String name) {
        return management.features().install(name);
    }

    @POST
    @Path("{name}/uninstall")
    public FeatureView uninstall(@PathParam("name") String name) {
        return management.features().uninstall(name);
    }
}
