package io.flux.media.protocol.gb28181.remote.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * Forwards requests for streams that live on a node ({@code /api/v1/streams/gb28181/{device}/...}: stream state,
 * snapshots, recordings with Range, record start/stop) to the node holding the device, so clients talk to the
 * gateway only. It runs after authorization (post-matching, priority after {@link Priorities#AUTHORIZATION}), so
 * the gateway's roles decide; the node sees the node token. Bodies stream through: a recording is never held in
 * memory. Devices no node holds stay with the gateway's own resources (which answer 404).
 */
@Component(service = ContainerRequestFilter.class, enabled = false)
@JakartarsExtension
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Priority(Priorities.USER)
public class StreamForwarder implements ContainerRequestFilter {

    static final String PREFIX = FluxApi.BASE_PATH + "/streams/gb28181/";
    /** Request headers that change what the node answers. */
    static final Set<String> REQUEST_HEADERS = Set.of("range", "if-range", "if-none-match", "if-modified-since",
            "accept", "content-type");
    /** Response headers the client needs to use the body. */
    static final Set<String> RESPONSE_HEADERS = Set.of("content-type", "content-length", "content-range",
            "accept-ranges", "etag", "last-modified", "content-disposition", "cache-control", "retry-after");
    /** Bodies of forwarded requests are small JSON (record start); larger ones are refused. */
    static final int MAX_BODY = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(StreamForwarder.class);

    private final NodeDirectory directory;

    @org.osgi.service.component.annotations.Activate
    public StreamForwarder(@Reference NodeDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        String rawPath = request.getUriInfo().getRequestUri().getRawPath();
        Optional<String> deviceId = deviceOf(rawPath);
        if (deviceId.isEmpty()) {
            return;
        }
        Optional<NodeClient> owner = directory.nodeFor(deviceId.get());
        if (owner.isEmpty()) {
            return;
        }
        NodeClient node = owner.get();
        String rawQuery = request.getUriInfo().getRequestUri().getRawQuery();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getHeaders().forEach((k, v) -> {
            if (REQUEST_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                headers.put(k, v);
            }
        });
        byte[] body = request.hasEntity() ? readBounded(request.getEntityStream()) : null;
        HttpResponse<InputStream> answer;
        try (MDC.MDCCloseable s = MDC.putCloseable("device_id", deviceId.get())) {
            answer = node.forward(request.getMethod(), rawPath + (rawQuery == null ? "" : "?" + rawQuery), headers,
                    body);
            LOG.debug("{} {} forwarded to {}: {}", request.getMethod(), rawPath, node.name(), answer.statusCode());
        }
        int status = answer.statusCode();
        if (status == 401 || status == 403 || status >= 500 && status != 503 && status != 504) {
            // Our token refused, or the node broke: the client must not see the node's view of it as its own.
            byte[] error;
            try (InputStream in = answer.body()) {
                error = in.readNBytes(MAX_BODY);
            }
            throw node.error(status, error);
        }
        Response.ResponseBuilder out = Response.status(status);
        answer.headers().map().forEach((k, values) -> {
            if (RESPONSE_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> out.header(k, v));
            }
        });
        InputStream in = answer.body();
        StreamingOutput stream = target -> {
            try (in) {
                in.transferTo(target);
            }
        };
        request.abortWith(out.entity(stream).build());
    }

    /** The device id of a {@code /api/v1/streams/gb28181/{device}/...} path. */
    static Optional<String> deviceOf(String rawPath) {
        if (rawPath == null || !rawPath.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = rawPath.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String device = slash < 0 ? rest : rest.substring(0, slash);
        return device.matches("\\d{20}") ? Optional.of(device) : Optional.empty();
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new ApiException(413, "payload_too_large", "a forwarded stream request body is limited to "
                    + MAX_BODY + " bytes");
        }
        return b;
    }
}
