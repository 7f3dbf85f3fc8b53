package io.flux.media.rest.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Map;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.StreamedBody;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Caps request bodies. A declared {@code Content-Length} over the limit is refused before anything is
 * read; a chunked body is counted as it is read and fails with 413 the moment it passes the limit.
 * Methods marked {@link StreamedBody} bound their own bodies.
 */
@Component(service = ContainerRequestFilter.class, scope = ServiceScope.PROTOTYPE,
        configurationPid = RequestLimitFilter.Config.PID)
@Designate(ocd = RequestLimitFilter.Config.class)
@HotUpdatable({ "request.max.bytes" })
@JakartarsExtension
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Priority(Priorities.AUTHORIZATION + 10)
public class RequestLimitFilter implements ContainerRequestFilter {

    @ObjectClassDefinition(name = "Flux REST API", description = "Limits of the /api/v1 application.")
    public @interface Config {
        String PID = "io.flux.media.rest";

        @AttributeDefinition(name = "Maximum request body (bytes)", min = "1",
                description = "Largest JSON request body accepted; larger bodies answer 413. Uploads of bundles "
                        + "and media have their own limits. Hot-updatable.")
        long request_max_bytes() default 1_048_576L;
    }

    @Context
    ResourceInfo resourceInfo;

    // Prototype scope: each instance sees @Modified itself, so a plain volatile is enough.
    private volatile long maxBytes;

    @Activate
    public RequestLimitFilter(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        this.maxBytes = config.request_max_bytes();
    }

    long maxBytes() {
        return maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Method method = resourceInfo == null ? null : resourceInfo.getResourceMethod();
        if (method != null && method.isAnnotationPresent(StreamedBody.class)) {
            return;
        }
        long limit = maxBytes;
        if (request.getLength() > limit) {
            throw tooLarge(limit);
        }
        if (request.hasEntity()) {
            request.setEntityStream(new LimitedInputStream(request.getEntityStream(), limit));
        }
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "payload_too_large", "request body larger than " + limit + " bytes",
                Map.of("limit_bytes", limit), null);
    }

    /** Counts bytes as they are read; past the limit, reading fails with 413. */
    static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long count;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            add(s);
            return s;
        }

        private void add(long n) {
            count += n;
            if (count > limit) {
                throw tooLarge(limit);
            }
        }
    }
}
