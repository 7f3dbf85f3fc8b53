package io.flux.media.gb28181.rest.internal;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsApplicationSelect;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import io.flux.media.api.gb28181.ByeRequest;
import io.flux.media.api.gb28181.CatalogResult;
import io.flux.media.api.gb28181.ChannelView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.DeviceRequest;
import io.flux.media.api.gb28181.DeviceStatusResult;
import io.flux.media.api.gb28181.DeviceView;
import io.flux.media.api.gb28181.Gb28181Backend;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.InviteRequest;
import io.flux.media.api.gb28181.SessionView;
import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.rest.FluxApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code /api/v1/gb28181/*}: checks the request, calls whichever {@link Gb28181Backend} is bound (embedded or
 * remote; the greedy reference follows a swap). A {@link Gb28181Exception} is an ApiException whose status comes
 * from its reason, so the REST layer renders it, and a remote backend that relays reasons answers identically.
 */
@Component(service = Gb28181Resource.class)
@JakartarsResource
@JakartarsApplicationSelect(FluxApi.APPLICATION_SELECT)
@Path("gb28181")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class Gb28181Resource {

    private static final Pattern GB_ID = Pattern.compile("\\d{20}");
    private static final Pattern CALL_ID = Pattern.compile("[\\x21-\\x7e]{1,256}");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Gb28181Backend backend;

    public Gb28181Resource() {
    }

    /** For tests. */
    Gb28181Resource(Gb28181Backend backend) {
        this.backend = backend;
    }

    @GET
    @Path("devices")
    public List<DeviceView> devices() {
        return call(Gb28181Backend::devices);
    }

    @GET
    @Path("devices/{device_id}")
    public DeviceView device(@PathParam("device_id") String deviceId) {
        requireId("device_id", deviceId);
        return call(b -> b.device(deviceId))
                .orElseThrow(() -> new Gb28181Exception(Gb28181Exception.Reason.UNKNOWN_DEVICE,
                        "unknown device " + deviceId));
    }

    @GET
    @Path("devices/{device_id}/channels")
    public List<ChannelView> channels(@PathParam("device_id") String deviceId) {
        requireId("device_id", deviceId);
        return call(b -> b.channels(deviceId));
    }

    @GET
    @Path("sessions")
    public List<SessionView> sessions() {
        return call(Gb28181Backend::sessions);
    }

    @POST
    @Path("catalog")
    public CatalogResult catalog(DeviceRequest request) {
        DeviceRequest r = checked(request);
        return call(b -> b.catalog(r));
    }

    @POST
    @Path("device-info")
    public DeviceInfoResult deviceInfo(DeviceRequest request) {
        DeviceRequest r = checked(request);
        return call(b -> b.deviceInfo(r));
    }

    @POST
    @Path("device-status")
    public DeviceStatusResult deviceStatus(DeviceRequest request) {
        DeviceRequest r = checked(request);
        return call(b -> b.deviceStatus(r));
    }

    @POST
    @Path("invite")
    public SessionView invite(InviteRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a JSON body {device_id, channel_id, transport} is required");
        }
        requireId("device_id", request.device_id());
        requireId("channel_id", request.channel_id());
        Transport.parse(request.transport()); // 400 before anything reaches the device
        return call(b -> b.invite(request));
    }

    @POST
    @Path("bye")
    public SessionView bye(ByeRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a JSON body {call_id} or {device_id, channel_id} is required");
        }
        if (request.call_id() != null) {
            if (!CALL_ID.matcher(request.call_id()).matches()) {
                throw ApiException.badRequest("call_id must be 1-256 visible ASCII characters");
            }
            if (request.device_id() != null || request.channel_id() != null) {
                throw ApiException.badRequest("give either call_id or device_id and channel_id, not both");
            }
        } else {
            requireId("device_id", request.device_id());
            requireId("channel_id", request.channel_id());
        }
        return call(b -> b.bye(request));
    }

    private static DeviceRequest checked(DeviceRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a JSON body {device_id} is required");
        }
        requireId("device_id", request.device_id());
        return request;
    }

    private static void requireId(String field, String value) {
        if (value == null) {
            throw ApiException.badRequest(field + " is required");
        }
        if (!GB_ID.matcher(value).matches()) {
            throw new ApiException(400, "bad_request", field + " must be a 20-digit GB28181 id",
                    Map.of("field", field), null);
        }
    }

    private <T> T call(java.util.function.Function<Gb28181Backend, T> action) {
        Gb28181Backend b = backend;
        if (b == null) {
            throw ApiException.unavailable("no GB28181 backend is running: the embedded server is disabled or "
                    + "its bundle is stopped, and no remote backend is configured");
        }
        return action.apply(b);
    }
}
