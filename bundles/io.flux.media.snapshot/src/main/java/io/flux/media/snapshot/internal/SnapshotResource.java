package io.flux.media.snapshot.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.snapshot.Snapshot;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/v1/streams/{id}/snapshot}: a JPEG of a live stream. Viewer role (the application's default
 * for GET). Headers say which mode produced the picture, whether the cache served it, and how old it is.
 */
@Component(service = SnapshotResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("streams")
public class SnapshotResource {

    static final String JPEG = "image/jpeg";
    static final String MODE_HEADER = "X-Snapshot-Mode";
    static final String CACHE_HEADER = "X-Snapshot-Cache";
    static final String AGE_HEADER = "X-Snapshot-Age-Ms";
    static final String CAPTURED_HEADER = "X-Snapshot-Captured-At";
    static final String WIDTH_HEADER = "X-Snapshot-Width";
    static final String HEIGHT_HEADER = "X-Snapshot-Height";

    private final SnapshotService service;

    @Activate
    public SnapshotResource(@Reference SnapshotService service) {
        this.service = service;
    }

    /** The picture and the headers that describe it. */
    record Answer(byte[] jpeg, Map<String, String> headers) {
    }

    @GET
    @Path("{id: .+}/snapshot")
    @Produces(JPEG)
    public Response snapshot(@PathParam("id") String id, @QueryParam("mode") String mode,
            @QueryParam("max_age_ms") String maxAgeMs, @QueryParam("timeout_ms") String timeoutMs,
            @QueryParam("width") String width, @QueryParam("height") String height) {
        Answer a = answer(id, mode, maxAgeMs, timeoutMs, width, height);
        Response.ResponseBuilder b = Response.ok(a.jpeg(), JPEG);
        a.headers().forEach(b::header);
        return b.build();
    }

    /** Everything but building the JAX-RS response; failures are {@link ApiException}s. */
    Answer answer(String id, String mode, String maxAgeMs, String timeoutMs, String width, String height) {
        SnapshotEngine.Query query;
        try {
            query = SnapshotParams.parse(id, mode, maxAgeMs, timeoutMs, width, height,
                    service.settings().maxDimension());
        } catch (ApiException e) {
            service.rejected("bad_request");
            throw e;
        }
        SnapshotEngine.Result r;
        try {
            r = service.take(query);
        } catch (SnapshotFailure f) {
            throw new ApiException(f.reason().status, f.reason().code, f.getMessage(),
                    Map.of("stream_id", query.stream().value(), "mode", SnapshotEngine.label(query.mode())), f);
        }
        Snapshot s = r.snapshot();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(MODE_HEADER, SnapshotEngine.label(s.mode()));
        headers.put(CACHE_HEADER, r.cacheHit() ? "hit" : "miss");
        headers.put(AGE_HEADER, Long.toString(r.age().toMillis()));
        headers.put(CAPTURED_HEADER, s.capturedAt().toString());
        headers.put(WIDTH_HEADER, Integer.toString(s.width()));
        headers.put(HEIGHT_HEADER, Integer.toString(s.height()));
        headers.put(HttpHeaders.CACHE_CONTROL, "no-store");
        return new Answer(s.jpeg(), headers);
    }
}
