package io.flux.media.protocol.gb28181.remote.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;

import io.flux.media.api.rest.FluxApi;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Hands the request's {@code traceparent} (or a new trace when it has none) to the node calls made while serving
 * it. Jersey runs filters and the resource method on one thread, so a thread-local carries it there; the
 * response filter clears it. Registered only while the remote backend is active (it needs the directory).
 */
@Component(service = { ContainerRequestFilter.class, ContainerResponseFilter.class }, enabled = false)
@JakartarsExtension
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@PreMatching
@Priority(10)
public class TraceFilter implements ContainerRequestFilter, ContainerResponseFilter {

    /** Only to exist exactly when the remote backend does. */
    @Reference
    NodeDirectory directory;

    @Override
    public void filter(ContainerRequestContext request) {
        Traceparent trace = Traceparent.parse(request.getHeaderString(Traceparent.HEADER))
                .orElseGet(Traceparent::create);
        Traceparent.setCurrent(trace);
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Traceparent.clearCurrent();
    }
}
