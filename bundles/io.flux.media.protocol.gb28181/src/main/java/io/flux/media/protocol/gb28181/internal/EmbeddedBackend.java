package io.flux.media.protocol.gb28181.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.gb28181.ByeRequest;
import io.flux.media.api.gb28181.CatalogResult;
import io.flux.media.api.gb28181.ChannelView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.DeviceRequest;
import io.flux.media.api.gb28181.DeviceStatusResult;
import io.flux.media.api.gb28181.DeviceView;
import io.flux.media.api.gb28181.Gb28181Backend;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.gb28181.InviteRequest;
import io.flux.media.api.gb28181.SessionView;
import io.flux.media.api.gb28181.Transport;
import io.flux.media.protocol.gb28181.internal.media.LogContext;

/**
 * The {@link Gb28181Backend} of the embedded server: the live registry for presence, the store for what
 * devices reported (and for devices not registered since the start: offline, {@code restarted}), the query
 * and session managers for the rest.
 */
final class EmbeddedBackend implements Gb28181Backend {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBackend.class);
    static final String RESTARTED = "restarted";

    private final DeviceRegistry registry;
    private final DeviceStore store;
    private final QueryManager queries;
    private final SessionManager sessions;

    EmbeddedBackend(DeviceRegistry registry, DeviceStore store, QueryManager queries, SessionManager sessions) {
        this.registry = registry;
        this.store = store;
        this.queries = queries;
        this.sessions = sessions;
    }

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public List<DeviceView> devices() {
        // Sorted by id: a view carries the id it was asked for.
        TreeSet<String> ids = new TreeSet<>();
        registry.all().forEach(d -> ids.add(d.id()));
        store.devices().forEach(d -> ids.add(d.id()));
        List<DeviceView> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            view(id).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Optional<DeviceView> device(String deviceId) {
        if (deviceId == null || !Registrar.GB_ID.matcher(deviceId).matches()) {
            return Optional.empty();
        }
        return view(deviceId);
    }

    private Optional<DeviceView> view(String id) {
        Optional<DeviceRegistry.Device> live = registry.get(id);
        Optional<DeviceStore.StoredDevice> stored = store.device(id);
        if (live.isEmpty() && stored.isEmpty()) {
            return Optional.empty();
        }
        DeviceStore.StoredDevice s = stored.orElse(DeviceStore.StoredDevice.empty(id));
        int channels = store.channelCount(id);
        if (live.isPresent()) {
            DeviceRegistry.Device d = live.get();
            return Optional.of(new DeviceView(id, s.name(), d.online(),
                    d.online() || d.offlineReason() == null ? null : d.offlineReason().label, d.transport(), d.host(),
                    d.port(), s.manufacturer(), s.model(), s.firmware(), d.registeredAt(), d.expiresAt(), d.lastSeen(),
                    channels));
        }
        // Known from the database only: not registered since this server started.
        return Optional.of(new DeviceView(id, s.name(), false, RESTARTED, s.transport(), s.host(), s.port(),
                s.manufacturer(), s.model(), s.firmware(), s.registeredAt(), s.expiresAt(), s.lastSeen(), channels));
    }

    @Override
    public List<ChannelView> channels(String deviceId) {
        requireId(deviceId, "device_id");
        if (registry.get(deviceId).isEmpty() && store.device(deviceId).isEmpty()) {
            throw new Gb28181Exception(Reason.UNKNOWN_DEVICE, "unknown device " + deviceId);
        }
        return store.channels(deviceId);
    }

    @Override
    public CatalogResult catalog(DeviceRequest request) {
        DeviceRegistry.Device d = online(request == null ? null : request.device_id());
        CatalogResult r = queries.catalog(d);
        store.catalog(d.id(), r.channels(), r.complete());
        try (MDC.MDCCloseable ignored = MDC.putCloseable(LogContext.DEVICE, d.id())) {
            LOG.info("catalog of device {}: {} of {} channels{}", d.id(), r.channels().size(), r.sum_num(),
                    r.complete() ? "" : " (incomplete)");
        }
        return r;
    }

    @Override
    public DeviceInfoResult deviceInfo(DeviceRequest request) {
        DeviceRegistry.Device d = online(request == null ? null : request.device_id());
        DeviceInfoResult r = queries.deviceInfo(d);
        store.info(r);
        return r;
    }

    @Override
    public DeviceStatusResult deviceStatus(DeviceRequest request) {
        return queries.deviceStatus(online(request == null ? null : request.device_id()));
    }

    @Override
    public SessionView invite(InviteRequest request) {
        if (request == null) {
            throw new Gb28181Exception(Reason.INVALID, "device_id and channel_id are required");
        }
        requireId(request.device_id(), "device_id");
        requireId(request.channel_id(), "channel_id");
        Transport transport = Transport.parse(request.transport());
        return sessions.invite(online(request.device_id()), request.channel_id(), transport);
    }

    @Override
    public SessionView bye(ByeRequest request) {
        if (request != null && request.call_id() != null && !request.call_id().isBlank()) {
            return sessions.bye(request.call_id(), null, null);
        }
        if (request == null || request.device_id() == null || request.channel_id() == null) {
            throw new Gb28181Exception(Reason.INVALID, "call_id, or device_id and channel_id, are required");
        }
        requireId(request.device_id(), "device_id");
        requireId(request.channel_id(), "channel_id");
        return sessions.bye(null, request.device_id(), request.channel_id());
    }

    @Override
    public List<SessionView> sessions() {
        return sessions.sessions();
    }

    /** The device, registered and online; INVALID, UNKNOWN_DEVICE or OFFLINE otherwise. */
    private DeviceRegistry.Device online(String deviceId) {
        requireId(deviceId, "device_id");
        Optional<DeviceRegistry.Device> d = registry.get(deviceId);
        if (d.isEmpty()) {
            if (store.device(deviceId).isPresent()) {
                throw new Gb28181Exception(Reason.OFFLINE, "device " + deviceId + " is offline (" + RESTARTED
                        + ": not registered since the server started)");
            }
            throw new Gb28181Exception(Reason.UNKNOWN_DEVICE, "unknown device " + deviceId);
        }
        if (!d.get().online()) {
            DeviceRegistry.OfflineReason why = d.get().offlineReason();
            throw new Gb28181Exception(Reason.OFFLINE, "device " + deviceId + " is offline"
                    + (why == null ? "" : " (" + why.label + ")"));
        }
        return d.get();
    }

    static void requireId(String id, String field) {
        if (id == null || !Registrar.GB_ID.matcher(id).matches()) {
            throw new Gb28181Exception(Reason.INVALID, field + " must be 20 digits, got '"
                    + (id == null ? "" : id.length() > 40 ? id.substring(0, 40) + "..." : id) + "'");
        }
    }
}
