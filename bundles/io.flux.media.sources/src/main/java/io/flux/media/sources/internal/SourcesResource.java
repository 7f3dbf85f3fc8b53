package io.flux.media.sources.internal;

import java.net.URI;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.sources.internal.Views.FileView;
import io.flux.media.sources.internal.Views.PlaybackView;
import io.flux.media.sources.internal.Views.PreviewView;
import io.flux.media.sources.internal.Views.ReadyView;
import io.flux.media.sources.internal.Views.RecordStatusView;
import io.flux.media.sources.internal.Views.SessionView;
import io.flux.media.sources.internal.Views.SourceView;
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
 * {@code /api/v1/sources}: media sources, their MediaMTX path's live state, preview URLs, recording and playback.
 * GET needs the viewer token, everything else the admin token (the platform's default). Errors come from
 * {@link SourceService} as API exceptions (400 per field, 404, 409, 503).
 */
@Component(service = SourcesResource.class)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("sources")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SourcesResource {

    private final SourceService sources;

    @Activate
    public SourcesResource(@Reference SourceService sources) {
        this.sources = sources;
    }

    @GET
    public PageView<SourceView> list(@QueryParam("type") String type, @QueryParam("enabled") String enabled,
            @QueryParam("with_status") String withStatus, @QueryParam("page") String page,
            @QueryParam("page_size") String pageSize) {
        return sources.list(Params.text(type), Params.bool("enabled", enabled),
                Boolean.TRUE.equals(Params.bool("with_status", withStatus)), Params.page(page),
                Params.pageSize(pageSize));
    }

    @POST
    public Response create(SourceRequest request) {
        SourceView view = createSource(request);
        return Response.created(URI.create("sources/" + view.id())).entity(view).build();
    }

    /** The body of {@link #create}: separate so that tests need no JAX-RS runtime for the 201 response. */
    SourceView createSource(SourceRequest request) {
        return sources.create(request);
    }

    @GET
    @Path("{id}")
    public SourceView get(@PathParam("id") String id) {
        return sources.get(id);
    }

    @PUT
    @Path("{id}")
    public SourceView update(@PathParam("id") String id, SourceRequest request) {
        return sources.update(id, request);
    }

    @DELETE
    @Path("{id}")
    public void delete(@PathParam("id") String id) {
        sources.delete(id);
    }

    @POST
    @Path("{id}/enable")
    @Consumes(MediaType.WILDCARD)
    public SourceView enable(@PathParam("id") String id) {
        return sources.setEnabled(id, true);
    }

    @POST
    @Path("{id}/disable")
    @Consumes(MediaType.WILDCARD)
    public SourceView disable(@PathParam("id") String id) {
        return sources.setEnabled(id, false);
    }

    @GET
    @Path("{id}/status")
    public StatusView status(@PathParam("id") String id) {
        return sources.status(id);
    }

    @GET
    @Path("{id}/preview")
    public PreviewView preview(@PathParam("id") String id) {
        return sources.preview(id);
    }

    @GET
    @Path("{id}/preview/ready")
    public ReadyView ready(@PathParam("id") String id) {
        return sources.ready(id);
    }

    @POST
    @Path("{id}/record/start")
    @Consumes(MediaType.WILDCARD)
    public RecordStatusView recordStart(@PathParam("id") String id) {
        return sources.record(id, true);
    }

    @POST
    @Path("{id}/record/stop")
    @Consumes(MediaType.WILDCARD)
    public RecordStatusView recordStop(@PathParam("id") String id) {
        return sources.record(id, false);
    }

    @GET
    @Path("{id}/record/status")
    public RecordStatusView recordStatus(@PathParam("id") String id) {
        return sources.recordStatus(id);
    }

    @GET
    @Path("{id}/record/sessions")
    public List<SessionView> recordSessions(@PathParam("id") String id) {
        return sources.recordings(id).sessions();
    }

    @GET
    @Path("{id}/record/files")
    public List<FileView> recordFiles(@PathParam("id") String id) {
        return sources.recordings(id).files();
    }

    /** {@code start} (RFC 3339) is required; {@code duration} in seconds, 60 when left out. */
    @GET
    @Path("{id}/playback")
    public PlaybackView playback(@PathParam("id") String id, @QueryParam("start") String start,
            @QueryParam("duration") String duration) {
        return sources.playback(id, Params.time("start", start, true), Params.seconds("duration", duration));
    }

    @GET
    @Path("{id}/playback/segments")
    public List<PlaybackSegment> playbackSegments(@PathParam("id") String id, @QueryParam("start") String start,
            @QueryParam("end") String end) {
        var from = Params.time("start", start, false);
        var to = Params.time("end", end, false);
        if (from != null && to != null && to.isBefore(from)) {
            throw Params.bad("end", "is before start");
        }
        return sources.playbackSegments(id, from, to);
    }
}
