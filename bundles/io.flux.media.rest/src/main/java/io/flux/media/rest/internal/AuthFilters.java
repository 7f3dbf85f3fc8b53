package io.flux.media.rest.internal;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;

import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.Public;
import io.flux.media.api.rest.RequiresRole;
import io.flux.media.api.security.Authenticator;
import io.flux.media.api.security.Role;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;

/**
 * Deny by default. The pre-matching filter only reads the token; the post-matching one knows the resource
 * method and decides: {@link Public} methods are open, GET/HEAD need a viewer, everything else an admin,
 * unless {@link RequiresRole} says otherwise.
 */
final class AuthFilters {

    private AuthFilters() {
    }

    static Response unauthorized(String message) {
        return ErrorMapper.error(401, "unauthorized", message, Map.of());
    }

    static Role required(Method method, String httpMethod) {
        RequiresRole r = method.getAnnotation(RequiresRole.class);
        if (r == null) {
            r = method.getDeclaringClass().getAnnotation(RequiresRole.class);
        }
        if (r != null) {
            return r.value();
        }
        return "GET".equals(httpMethod) || "HEAD".equals(httpMethod) ? Role.VIEWER : Role.ADMIN;
    }

    static boolean isPublic(Method method) {
        return method.isAnnotationPresent(Public.class) || method.getDeclaringClass().isAnnotationPresent(Public.class);
    }

    /** Reads the bearer token once per request. */
    @Component(service = ContainerRequestFilter.class)
    @JakartarsExtension
    @JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
    @PreMatching
    @Priority(Priorities.AUTHENTICATION)
    public static final class Authenticate implements ContainerRequestFilter {

        private final Authenticator authenticator;

        @Activate
        public Authenticate(@Reference Authenticator authenticator) {
            this.authenticator = authenticator;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            Optional<Role> role = authenticator.authenticateHeader(request.getHeaderString(HttpHeaders.AUTHORIZATION));
            role.ifPresent(r -> request.setProperty(RequestAttributes.ROLE, r));
        }
    }

    /** Checks the role against what the matched resource method needs. */
    @Component(service = ContainerRequestFilter.class, scope = ServiceScope.PROTOTYPE)
    @JakartarsExtension
    @JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
    @Priority(Priorities.AUTHORIZATION)
    public static final class Authorize implements ContainerRequestFilter {

        @Context
        ResourceInfo resourceInfo;

        @Override
        public void filter(ContainerRequestContext request) {
            Method method = resourceInfo == null ? null : resourceInfo.getResourceMethod();
            if (method != null && isPublic(method)) {
                return;
            }
            Role role = (Role) request.getProperty(RequestAttributes.ROLE);
            if (role == null) {
                request.abortWith(unauthorized("missing or invalid bearer token"));
                return;
            }
            Role needed = method == null ? Role.ADMIN : required(method, request.getMethod());
            if (!role.covers(needed)) {
                request.abortWith(ErrorMapper.error(403, "forbidden",
                        "this token grants " + role.name().toLowerCase() + " access; " + request.getMethod()
                                + " here needs " + needed.name().toLowerCase(), Map.of()));
            }
        }
    }
}
