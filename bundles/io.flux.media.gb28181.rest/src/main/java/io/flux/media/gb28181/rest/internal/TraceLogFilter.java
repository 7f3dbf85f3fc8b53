package io.flux.media.gb28181.rest.internal;

import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.rest.FluxApi;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Logs the W3C {@code traceparent} of GB28181 requests ({@code /gb28181/*} and {@code /streams/gb28181/*}) that
 * carry one, so a call forwarded by a gateway can be found in the media node's log by its trace id. Only valid
 * values are written (the header is client input).
 */
@Component(service = ContainerRequestFilter.class)
@JakartarsExtension
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@PreMatching
@Priority(20)
public class TraceLogFilter implements ContainerRequestFilter {

    static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final Logger LOG = LoggerFactory.getLogger(TraceLogFilter.class);

    @Override
    public void filter(ContainerRequestContext request) {
        String traceparent = request.getHeaderString("traceparent");
        if (traceparent == null) {
            return;
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (!path.startsWith(FluxApi.BASE_PATH + "/gb28181/") && !path.startsWith(FluxApi.BASE_PATH
                + "/streams/gb28181/")) {
            return;
        }
        String value = traceparent.strip();
        LOG.info("{} {} traceparent {}", request.getMethod(), path,
                TRACEPARENT.matcher(value).matches() ? value : "(invalid)");
    }
}
