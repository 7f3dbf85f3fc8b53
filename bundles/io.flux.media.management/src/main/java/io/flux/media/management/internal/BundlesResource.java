package io.flux.media.management.internal;

import java.io.InputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.rest.RequiresRole;
import io.flux.media.api.rest.StreamedBody;
import io.flux.media.api.security.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** {@code /api/v1/bundles}: list, install, update, start, stop and uninstall bundles. Admin only. */
@Component(service = BundlesResource.class, scope = ServiceScope.PROTOTYPE)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("bundles")
@Produces(MediaType.APPLICATION_JSON)
// Runtime management is admin only, reads included: bundle lists reveal what the server runs.
@RequiresRole(Role.ADMIN)
public class BundlesResource {

    /** Media types a jar upload may be sent as. */
    static final String JAR = "application/java-archive";
    static final String X_JAR = "application/x-java-archive";

    private final ManagementService management;

    @Activate
    public BundlesResource(@Reference ManagementService management) {
        this.management = management;
    }

    @GET
    public List<BundleView> list() {
        return management.bundles().list();
    }

    @GET
    @Path("{id}")
    public BundleView.Detail get(@PathParam("id") long id) {
        return management.bundles().detail(id);
    }

    @POST
    @Consumes({ JAR, X_JAR, MediaType.APPLICATION_OCTET_STREAM })
    @StreamedBody
    public Response install(InputStream body, @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
            @Context UriInfo uriInfo) {
        BundleView installed = withUpload(body, contentLength, jar -> management.bundles().install(jar));
        return Response.created(uriInfo.getAbsolutePathBuilder().path(Long.toString(installed.id())).build())
                .entity(installed).build();
    }

    @PUT
    @Path("{id}")
    @Consumes({ JAR, X_JAR, MediaType.APPLICATION_OCTET_STREAM })
    @StreamedBody
    public BundleView update(@PathParam("id") long id, InputStream body,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength) {
        // An unknown id answers 404 before a byte of the body is stored.
        management.bundles().detail(id);
        return withUpload(body, contentLength, jar -> management.bundles().update(id, jar));
    }

    @POST
    @Path("{id}/start")
    public BundleView start(@PathParam("id") long id) {
        return management.bundles().start(id);
    }

    @POST
    @Path("{id}/stop")
    public BundleView stop(@PathParam("id") long id) {
        return management.bundles().stop(id);
    }

    @DELETE
    @Path("{id}")
    public Response uninstall(@PathParam("id") long id) {
        management.bundles().uninstall(id);
        return Response.noContent().build();
    }

    private <T> T withUpload(InputStream body, String contentLength, Function<java.nio.file.Path, T> action) {
        java.nio.file.Path upload;
        try {
            upload = management.bundles().newUploadFile();
        } catch (IOException e) {
            throw new ApiException(500, "internal_error", "cannot store the upload: " + e.getMessage(), Map.of(), e);
        }
        try {
            UploadReceiver.receive(body, UploadReceiver.contentLength(contentLength), management.uploadMaxBytes(),
                    upload);
            return action.apply(upload);
        } finally {
            BundleManager.deleteQuietly(upload);
        }
    }
}
