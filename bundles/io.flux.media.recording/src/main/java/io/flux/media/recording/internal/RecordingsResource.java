package io.flux.media.recording.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/v1/recordings/reindex}: rebuild the index from storage in the background, and its progress;
 * {@code /api/v1/recordings/storage}: the active backend, each bound backend's upload health, and the spool.
 */
@Component(service = RecordingsResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("recordings")
@Produces(MediaType.APPLICATION_JSON)
public class RecordingsResource {

    private final RecordingService service;

    @Activate
    public RecordingsResource(@Reference RecordingService service) {
        this.service = service;
    }

    /** 202 with the run's state; a run already in progress is reported, not doubled. */
    @POST
    @Path("reindex")
    @Consumes(MediaType.WILDCARD)
    public Response reindex() {
        if (service.storage().isEmpty()) {
            throw ApiException.unavailable("no storage backend is available to reindex");
        }
        RecordingService.ReindexState s;
        try {
            s = service.startReindex();
        } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
            throw ApiException.unavailable("cannot start a reindex: " + e.getMessage());
        }
        return Response.status(202).entity(RecordingViews.reindex(s)).build();
    }

    @GET
    @Path("reindex")
    public RecordingViews.ReindexView reindexState() {
        return RecordingViews.reindex(service.reindexState());
    }

    @GET
    @Path("storage")
    public RecordingService.StorageState storage() {
        return service.storageState();
    }
}
