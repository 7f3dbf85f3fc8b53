package io.flux.media.publish.rtsp.internal;

import java.util.Locale;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.StreamingServer;
import io.flux.media.api.streaming.StreamingServerException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/streams/{id}/preview}: where a published stream plays on the streaming server. The core's
 * {@code GET streams/{id}} template leaves {@code .../preview} alone, so this one gets it.
 */
@Component(service = PreviewResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("streams")
@Produces(MediaType.APPLICATION_JSON)
public class PreviewResource {

    /** The answer; URLs the server has no address for are null (left out of the JSON). */
    public record Preview(String stream_id, String path, boolean published, String state, String rtsp, String rtmp,
            String hls, String webrtc, String srt) {
    }

    private final StreamRegistry registry;
    private final RtspPublishService service;

    @Activate
    public PreviewResource(@Reference StreamRegistry registry, @Reference RtspPublishService service) {
        this.registry = registry;
        this.service = service;
    }

    @GET
    @Path("{id: .+}/preview")
    public Preview preview(@PathParam("id") String id) {
        String problem = StreamId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid stream id: " + problem);
        }
        StreamingServer server = service.streamingServer();
        if (server == null) {
            throw new ApiException(503, StreamingServerException.Reason.UNAVAILABLE.code(),
                    "streaming server unavailable");
        }
        StreamId streamId = StreamId.of(id);
        if (registry.stream(streamId).isEmpty()) {
            throw ApiException.notFound("unknown stream '" + id + "'");
        }
        Publisher p = service.publisher(streamId).orElseThrow(() -> ApiException.notFound("stream '" + id
                + "' is not published to the streaming server (publishing disabled or protocol not configured)"));
        PathUrls urls = server.urls(p.pathName());
        return new Preview(id, p.pathName(), p.state() == Publisher.State.PUBLISHING,
                p.state().name().toLowerCase(Locale.ROOT), urls.rtsp(), urls.rtmp(), urls.hls(), urls.webrtc(),
                urls.srt());
    }
}
