package io.flux.media.sources.internal;

import java.net.URI;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.FluxApi;
import io.flux.media.sources.internal.Views.AssetView;
import io.flux.media.sources.internal.Views.PlaybackView;
import io.flux.media.sources.internal.Views.PreviewView;
import io.flux.media.sources.internal.Views.RecordStatusView;
import io.flux.media.sources.internal.Views.RecordingsView;
import io.flux.media.sources.internal.Views.StatusView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/v1/assets}: stream assets, and their stream endpoints (delegated to the asset's source). GET needs the
 * viewer token, everything else the admin token (the platform's default).
 */
@Component(service = AssetsResource.class)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("assets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AssetsResource {

    private final AssetService assets;

    @Activate
    public AssetsResource(@Reference AssetService assets) {
        this.assets = assets;
    }

    /** Filters: {@code type}, {@code source_id}, {@code tag} (exact), {@code q} (name contains, any case). */
    @GET
    public PageView<AssetView> list(@QueryParam("type") String type, @QueryParam("source_id") String sourceId,
            @QueryParam("tag") String tag, @QueryParam("q") String q, @QueryParam("page") String page,
            @QueryParam("page_size") String pageSize) {
        return assets.list(Params.text(type), Params.text(sourceId), Params.text(tag), Params.text(q),
                Params.page(page), Params.pageSize(pageSize));
    }

    @POST
    public Response create(AssetRequest request) {
        AssetView view = createAsset(request);
        return Response.created(URI.create("assets/" + view.id())).entity(view).build();
    }

    /** The body of {@link #create}: separate so that tests need no JAX-RS runtime for the 201 response. */
    AssetView createAsset(AssetRequest request) {
        return assets.create(request);
    }

    @GET
    @Path("{id}")
    public AssetView get(@PathParam("id") String id) {
        return assets.get(id);
    }

    @PUT
    @Path("{id}")
    public AssetView update(@PathParam("id") String id, AssetRequest request) {
        return assets.update(id, request);
    }

    @DELETE
    @Path("{id}")
    public void delete(@PathParam("id") String id) {
        assets.delete(id);
    }

    @GET
    @Path("{id}/preview")
    public PreviewView preview(@PathParam("id") String id) {
        return assets.preview(id);
    }

    @GET
    @Path("{id}/stream/status")
    public StatusView status(@PathParam("id") String id) {
        return assets.status(id);
    }

    @POST
    @Path("{id}/stream/record/start")
    @Consumes(MediaType.WILDCARD)
    public RecordStatusView recordStart(@PathParam("id") String id) {
        return assets.record(id, true);
    }

    @POST
    @Path("{id}/stream/record/stop")
    @Consumes(MediaType.WILDCARD)
    public RecordStatusView recordStop(@PathParam("id") String id) {
        return assets.record(id, false);
    }

    @GET
    @Path("{id}/stream/record/status")
    public RecordStatusView recordStatus(@PathParam("id") String id) {
        return assets.recordStatus(id);
    }

    /** Sessions and files of the source's recordings. */
    @GET
    @Path("{id}/stream/recordings")
    public RecordingsView recordings(@PathParam("id") String id) {
        return assets.recordings(id);
    }

    /** {@code start} (RFC 3339) is required; {@code duration} in seconds, 60 when left out. */
    @GET
    @Path("{id}/stream/playback")
    public PlaybackView playback(@PathParam("id") String id, @QueryParam("start") String start,
            @QueryParam("duration") String duration) {
        return assets.playback(id, Params.time("start", start, true), Params.seconds("duration", duration));
    }
}
