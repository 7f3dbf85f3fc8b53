package io.flux.media.rest.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.ErrorBody;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.security.Authenticator;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into the one error shape. Client errors keep their message; anything unexpected
 * becomes a 500 whose message carries only an id that also appears in the log next to the stack trace.
 */
@Component(service = ExceptionMapper.class, scope = ServiceScope.PROTOTYPE)
@JakartarsExtension
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
public class ErrorMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    // Only proxiable request-scoped types can be injected into a provider; ContainerRequestContext is not.
    @Context
    UriInfo uriInfo;

    @Context
    HttpHeaders headers;

    @Context
    Request request;

    private final Authenticator authenticator;

    @Activate
    public ErrorMapper(@Reference Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Response toResponse(Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (t instanceof ApiException e) {
            return error(e.status(), e.code(), e.getMessage(), e.details());
        }
        if (t instanceof JsonProcessingException e) {
            return error(400, "invalid_json", describe(e), Map.of());
        }
        if (t instanceof WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if ((e instanceof NotFoundException || e instanceof NotAllowedException) && !authenticated()) {
                // Do not tell anonymous callers which routes exist.
                return AuthFilters.unauthorized("missing or invalid bearer token");
            }
            if (e.getCause() instanceof JsonProcessingException j) {
                return error(400, "invalid_json", describe(j), Map.of());
            }
            Response.Status.Family family = Response.Status.Family.familyOf(status);
            if (family == Response.Status.Family.SERVER_ERROR) {
                return internalError(t);
            }
            return error(status, codeFor(status), messageFor(e, status), Map.of());
        }
        return internalError(t);
    }

    /** Readers and filters may wrap what a resource or a limited stream threw; find the cause that says why. */
    static Throwable unwrap(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof ApiException) {
                return c;
            }
        }
        return t;
    }

    private boolean authenticated() {
        return headers != null && authenticator.authenticateHeader(headers.getHeaderString(HttpHeaders.AUTHORIZATION)).isPresent();
    }

    private Response internalError(Throwable t) {
        String id = UUID.randomUUID().toString();
        LOG.error("Internal error {} on {} {}", id, request == null ? "?" : request.getMethod(),
                uriInfo == null ? "?" : uriInfo.getPath(), t);
        return error(500, "internal_error", "internal error; reference " + id + " in the server log", Map.of());
    }

    static Response error(int status, String code, String message, Map<String, Object> details) {
        Response.ResponseBuilder b = Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(status, code, message, details));
        if (status == 401) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"flux\"");
        }
        return b.build();
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 503 -> "unavailable";
            case 504 -> "timeout";
            default -> status >= 500 ? "internal_error" : "error";
        };
    }

    private String messageFor(WebApplicationException e, int status) {
        if (e instanceof NotFoundException) {
            return "no such resource: " + (uriInfo == null ? "" : "/" + uriInfo.getPath());
        }
        if (e instanceof NotAllowedException) {
            Object allow = e.getResponse().getHeaders().getFirst(HttpHeaders.ALLOW);
            return "method not allowed" + (allow == null ? "" : "; allowed: " + allow);
        }
        String m = e.getMessage();
        return m == null || m.startsWith("HTTP ") ? Response.Status.fromStatusCode(status) == null
                ? "request failed" : Response.Status.fromStatusCode(status).getReasonPhrase() : m;
    }

    /** A message that names the offending field and position, without echoing the whole payload. */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        String path = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? fieldPath(m) : null;
        if (e instanceof InvalidFormatException f && path != null) {
            return "field '" + path + "' has an invalid value: " + String.valueOf(f.getValue());
        }
        if (path != null) {
            return "field '" + path + "' has the wrong type or is missing";
        }
        var loc = e.getLocation();
        return "invalid JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                + ": " + e.getOriginalMessage();
    }

    private static String fieldPath(MismatchedInputException m) {
        StringBuilder sb = new StringBuilder();
        for (var ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static Map<String, Object> details(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
