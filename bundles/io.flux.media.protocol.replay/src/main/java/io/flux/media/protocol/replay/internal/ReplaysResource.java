package io.flux.media.protocol.replay.internal;

import java.net.URI;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.FluxApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/v1/replays}: start ({@code POST}), list, inspect and stop ({@code DELETE}) file replays. Reading
 * needs the viewer role, starting and stopping the admin role (the application's filter decides by method).
 */
@Component(service = ReplaysResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("replays")
@Produces(MediaType.APPLICATION_JSON)
public class ReplaysResource {

    private final ReplayManager replays;

    @Activate
    public ReplaysResource(@Reference ReplayManager replays) {
        this.replays = replays;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(ReplayRequest request) {
        ReplayView view = replays.start(request);
        return Response.created(URI.create("replays/" + view.id())).entity(view).build();
    }

    @GET
    public List<ReplayView> list() {
        return replays.list();
    }

    @GET
    @Path("{id}")
    public ReplayView get(@PathParam("id") String id) {
        return replays.get(id);
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        replays.delete(id);
        return Response.noContent().build();
    }
}
