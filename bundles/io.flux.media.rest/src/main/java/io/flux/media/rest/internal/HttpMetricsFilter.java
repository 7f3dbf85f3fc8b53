package io.flux.media.rest.internal;

import java.lang.reflect.Method;

import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.rest.FluxApi;

import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;

/**
 * Request count and latency by route template (never the raw path, which would explode cardinality),
 * method and status. Metrics are optional: without a registry the filter does nothing.
 */
@Component(service = { ContainerRequestFilter.class, ContainerResponseFilter.class })
@JakartarsExtension
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@PreMatching
@Priority(1)
public class HttpMetricsFilter implements ContainerRequestFilter, ContainerResponseFilter {

    static final String REQUESTS = "http_requests_total";
    static final String DURATION = "http_request_duration_seconds";
    private static final double[] BUCKETS = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

    private record Metrics(MetricsRegistry registry, MetricsRegistry.Counter requests, MetricsRegistry.Histogram duration) {
    }

    private volatile Metrics metrics;

    @Context
    ResourceInfo resourceInfo;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRegistry(MetricsRegistry registry) {
        metrics = new Metrics(registry,
                registry.counter(REQUESTS, "HTTP requests answered by the REST API", "method", "route", "status"),
                registry.histogram(DURATION, "Time to answer REST API requests", BUCKETS, "method", "route", "status"));
    }

    void unbindRegistry(MetricsRegistry registry) {
        Metrics m = metrics;
        if (m != null && m.registry == registry) {
            metrics = null;
        }
    }

    @Deactivate
    void deactivate() {
        Metrics m = metrics;
        if (m != null) {
            m.registry.unregister(REQUESTS);
            m.registry.unregister(DURATION);
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(RequestAttributes.START_NANOS, System.nanoTime());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Metrics m = metrics;
        Object start = request.getProperty(RequestAttributes.START_NANOS);
        if (m == null || !(start instanceof Long t0)) {
            return;
        }
        String route = route(resourceInfo == null ? null : resourceInfo.getResourceClass(),
                resourceInfo == null ? null : resourceInfo.getResourceMethod());
        String status = Integer.toString(response.getStatus());
        String method = request.getMethod();
        m.requests.inc(method, route, status);
        m.duration.observe((System.nanoTime() - t0) / 1e9, method, route, status);
    }

    /** The route template, {@code /bundles/{id}/start}: class path plus method path, never the raw path. */
    static String route(Class<?> resource, Method method) {
        if (resource == null || method == null) {
            return "unmatched";
        }
        StringBuilder sb = new StringBuilder();
        append(sb, resource.getAnnotation(Path.class));
        append(sb, method.getAnnotation(Path.class));
        return sb.isEmpty() ? "/" : sb.toString();
    }

    private static void append(StringBuilder sb, Path path) {
        if (path == null) {
            return;
        }
        String p = path.value();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty()) {
            sb.append('/').append(p);
        }
    }
}
