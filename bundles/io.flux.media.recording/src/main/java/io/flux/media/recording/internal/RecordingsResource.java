package io.flux.media.recording.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.RequiresRole;
import io.flux.media.api.security.Role;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StoragePage;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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

    /** One page of what a bound backend holds under {@code prefix}: for operators checking where segments are. */
    @GET
    @Path("storage/{backend}/objects")
    @RequiresRole(Role.ADMIN)
    public RecordingViews.ObjectPageView objects(@PathParam("backend") String backend,
            @QueryParam("prefix") String prefix, @QueryParam("token") String token,
            @QueryParam("limit") String limit) {
        StorageBackend b = service.backend(backend).orElseThrow(() -> new ApiException(404, "not_found",
                "no storage backend '" + backend + "' is installed and started"));
        int n = RecordingResource.limit(limit);
        StoragePage page;
        try {
            page = b.list(prefix == null ? "" : prefix, token == null || token.isBlank() ? null : token, n);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (java.io.IOException | RuntimeException e) {
            throw ApiException.unavailable("storage backend " + backend + " failed: " + e.getMessage());
        }
        return new RecordingViews.ObjectPageView(backend, page.objects().stream()
                .map(o -> new RecordingViews.ObjectView(o.key(), o.size(), o.lastModified())).toList(),
                page.nextToken());
    }
}
