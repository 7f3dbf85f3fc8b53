package io.flux.media.recording.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.ErrorBody;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.stream.StreamId;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * Recording endpoints under {@code /api/v1/streams/{id}}: recording on/off and status, the segment list, time
 * lookup, and segment download with byte ranges. Stream ids contain '/', hence the {@code {id: .+}} templates
 * followed by literal suffixes.
 */
@Component(service = RecordingResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("streams")
@Produces(MediaType.APPLICATION_JSON)
public class RecordingResource {

    static final String VIDEO_MP4 = "video/mp4";
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> START_FIELDS = Set.of("strategy", "value", "priority");

    private final RecordingService service;

    @Activate
    public RecordingResource(@Reference RecordingService service) {
        this.service = service;
    }

    @GET
    @Path("{id: .+}/record")
    public RecordingViews.StatusView status(@PathParam("id") String id) {
        return RecordingViews.status(service.status(streamId(id)));
    }

    @POST
    @Path("{id: .+}/record/start")
    @Consumes(MediaType.WILDCARD)
    public RecordingViews.StatusView start(@PathParam("id") String id, String body) {
        StreamId sid = streamId(id);
        StartBody start = parseStartBody(body);
        try {
            return RecordingViews.status(service.start(sid, start.policy(), start.priority()));
        } catch (SQLException e) {
            throw database(e);
        }
    }

    @POST
    @Path("{id: .+}/record/stop")
    @Consumes(MediaType.WILDCARD)
    public RecordingViews.StatusView stop(@PathParam("id") String id) {
        StreamId sid = streamId(id);
        try {
            return RecordingViews.status(service.stop(sid));
        } catch (SQLException e) {
            throw database(e);
        }
    }

    @GET
    @Path("{id: .+}/recordings")
    public RecordingViews.SegmentListView list(@PathParam("id") String id, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("limit") String limit) {
        StreamId sid = streamId(id);
        long f = TimeParam.parse("from", from, Long.MIN_VALUE);
        long t = TimeParam.parse("to", to, Long.MAX_VALUE);
        if (f > t) {
            throw ApiException.badRequest("'from' is after 'to'");
        }
        int n = limit(limit);
        try {
            List<RecordingViews.SegmentView> segments = service.list(sid, f, t, n).stream()
                    .map(RecordingViews::segment).toList();
            return new RecordingViews.SegmentListView(sid.value(),
                    from == null || from.isBlank() ? null : Instant.ofEpochMilli(f),
                    to == null || to.isBlank() ? null : Instant.ofEpochMilli(t), segments.size(), segments);
        } catch (SQLException e) {
            throw database(e);
        }
    }

    @GET
    @Path("{id: .+}/recordings/locate")
    public RecordingViews.LocationView locate(@PathParam("id") String id, @QueryParam("t") String t) {
        StreamId sid = streamId(id);
        if (t == null || t.isBlank()) {
            throw ApiException.badRequest("query parameter 't' is required");
        }
        long at = TimeParam.parse("t", t, 0);
        try {
            return service.locate(sid, at).map(l -> RecordingViews.location(sid, at, l))
                    .orElseThrow(() -> ApiException.notFound("no recording of stream " + sid + " covers " + t));
        } catch (SQLException e) {
            throw database(e);
        }
    }

    @GET
    @Path("{id: .+}/recordings/{segment}")
    @Produces(VIDEO_MP4)
    public Response download(@PathParam("id") String id, @PathParam("segment") String segment,
            @HeaderParam("Range") String range) {
        StreamId sid = streamId(id);
        RecordingService.Download d;
        try {
            d = service.download(sid, segment);
        } catch (SQLException e) {
            throw database(e);
        } catch (RecordingService.DownloadException e) {
            throw new ApiException(e.status, code(e.status), e.getMessage());
        }
        ByteRange r = ByteRange.parse(range, d.size());
        if (r.kind() == ByteRange.Kind.UNSATISFIABLE) {
            // Built here rather than thrown: a 416 must carry Content-Range with the current length.
            return Response.status(416)
                    .header("Content-Range", "bytes */" + d.size())
                    .header("Accept-Ranges", "bytes")
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ErrorBody.of(416, "range_not_satisfiable", "range '" + range + "' is outside the "
                            + d.size() + " bytes of segment " + segment, null))
                    .build();
        }
        long offset = r.kind() == ByteRange.Kind.PARTIAL ? r.first() : 0;
        long length = r.kind() == ByteRange.Kind.PARTIAL ? r.length() : d.size();
        Response.ResponseBuilder b = Response.status(r.kind() == ByteRange.Kind.PARTIAL ? 206 : 200)
                .type(VIDEO_MP4)
                .header("Accept-Ranges", "bytes")
                .header(HttpHeaders.CONTENT_LENGTH, length)
                .header("Content-Disposition", "inline; filename=\"" + d.fileName() + "\"")
                .entity(body(d, offset, length));
        if (r.kind() == ByteRange.Kind.PARTIAL) {
            b.header("Content-Range", r.contentRange(d.size()));
        }
        if (d.lastModified() != null) {
            b.lastModified(Date.from(d.lastModified()));
        }
        return b.build();
    }

    /** Streams from the backend in small buffers; the segment is never held in memory. */
    StreamingOutput body(RecordingService.Download d, long offset, long length) {
        return out -> copy(d, offset, length, out);
    }

    void copy(RecordingService.Download d, long offset, long length, OutputStream out) throws IOException {
        if (length == 0) {
            return;
        }
        InputStream in;
        try {
            in = d.source().read(d.key(), offset, length);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
        try (in) {
            byte[] buf = new byte[64 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("segment " + d.key() + " ended " + left + " bytes early");
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    // ---- helpers ----

    static StreamId streamId(String id) {
        String problem = StreamId.problem(id);
        if (problem != null) {
            throw new ApiException(400, "bad_request", "invalid stream id: " + problem, Map.of("field", "id"), null);
        }
        return StreamId.of(id);
    }

    /** {@code {"strategy":"time|size|gops","value":N}}; an empty body or {@code {}} means the configured default. */
    /** A {@code record/start} body: the stream's own policy and priority, each null when not given. */
    record StartBody(SegmentPolicy policy, Integer priority) {
        static final StartBody EMPTY = new StartBody(null, null);
    }

    static StartBody parseStartBody(String body) {
        if (body == null || body.isBlank()) {
            return StartBody.EMPTY;
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body must be JSON like {\"strategy\":\"time\",\"value\":60}");
        }
        if (n == null || n.isNull() || n.isMissingNode()) {
            return StartBody.EMPTY;
        }
        if (!n.isObject()) {
            throw ApiException.badRequest("body must be a JSON object like {\"strategy\":\"time\",\"value\":60}");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!START_FIELDS.contains(field)) {
                throw ApiException.badRequest("unknown field '" + field + "' (expected strategy, value, priority)");
            }
        }
        return new StartBody(policy(n), priority(n));
    }

    private static SegmentPolicy policy(JsonNode n) {
        if (!n.has("strategy") && !n.has("value")) {
            return null;
        }
        JsonNode st = n.get("strategy");
        JsonNode v = n.get("value");
        if (st == null || !st.isTextual() || SegmentStrategy.parse(st.asText()) == null) {
            throw ApiException.badRequest("'strategy' must be one of time, size, gops");
        }
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.badRequest("'value' must be an integer (seconds for time, bytes for size, "
                    + "a count for gops)");
        }
        try {
            return new SegmentPolicy(SegmentStrategy.parse(st.asText()), v.asLong());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** An integer from -1000 to 1000; higher is kept longer when the spool is full. */
    private static Integer priority(JsonNode n) {
        JsonNode p = n.get("priority");
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() < -1000 || p.asInt() > 1000) {
            throw ApiException.badRequest("'priority' must be an integer from -1000 to 1000 (higher is kept longer "
                    + "when the spool is full)");
        }
        return p.asInt();
    }

    static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("'limit' must be an integer from 1 to " + MAX_LIMIT);
    }

    private static String code(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 503 -> "unavailable";
            default -> "error";
        };
    }

    static ApiException database(SQLException e) {
        return new ApiException(503, "unavailable", "the recording index is not available: " + e.getMessage(),
                Map.of(), e);
    }
}
