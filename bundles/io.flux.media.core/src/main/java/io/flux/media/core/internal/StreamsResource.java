package io.flux.media.core.internal;

import java.util.List;
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
import io.flux.media.api.stream.StreamState;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/streams} and {@code GET /api/v1/streams/{id}}: the streams the media core knows (live, and
 * ended ones for {@code ended.retention.ms}).
 */
@Component(service = StreamsResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("streams")
@Produces(MediaType.APPLICATION_JSON)
public class StreamsResource {

    /**
     * A stream id spans several path segments, so the template takes the rest of the path; but it must leave
     * the sub-resources of other bundles alone ({@code {id}/snapshot}, {@code {id}/recordings[/{segment}]},
     * {@code {id}/record/start|stop}, where {@code {id}} has at least two segments like every valid id) even when
     * those bundles are not installed: then they answer 404, not "unknown stream" or 405.
     */
    static final String ID_REGEX = "(?![^/]+(?:/[^/]+)+/(?:snapshot|preview|recordings(?:/[^/]+)?|record/(?:start|stop))/?$)"
            + ".+";

    private final StreamRegistry registry;

    @Activate
    public StreamsResource(@Reference StreamRegistry registry) {
        this.registry = registry;
    }

    /** Every stream, by id; optionally only those of one protocol and/or in one state. */
    @GET
    public List<StreamView> list(@QueryParam("protocol") String protocol, @QueryParam("state") String state) {
        StreamState wanted = state == null || state.isEmpty() ? null : parseState(state);
        return registry.streams().stream()
                .filter(s -> protocol == null || protocol.isEmpty() || s.protocol().equals(protocol))
                .filter(s -> wanted == null || s.state() == wanted)
                .map(StreamView::of)
                .toList();
    }

    @GET
    @Path("{id: " + ID_REGEX + "}")
    public StreamView get(@PathParam("id") String id) {
        String problem = StreamId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid stream id: " + problem);
        }
        return registry.stream(StreamId.of(id)).map(StreamView::of)
                .orElseThrow(() -> ApiException.notFound("unknown stream '" + id + "'"));
    }

    private static StreamState parseState(String state) {
        try {
            return StreamState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unknown state '" + state + "'; one of starting, live, stalled, ended");
        }
    }
}
