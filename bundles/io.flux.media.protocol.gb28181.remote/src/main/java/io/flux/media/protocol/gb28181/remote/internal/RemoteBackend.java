package io.flux.media.protocol.gb28181.remote.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import com.fasterxml.jackson.databind.JavaType;

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

/**
 * {@link Gb28181Backend} {@code remote}: every call goes to the node holding the device, as the same request the
 * embedded API takes, and comes back as the same DTOs. Lists merge all nodes; a node that cannot be reached
 * leaves its devices in the list as offline with {@code offline_reason} {@code node_unreachable}, and its
 * sessions out of it (logged), so one dead node does not take the others' devices down.
 */
@Component(service = Gb28181Backend.class, enabled = false, property = Gb28181Backend.KIND + "=" + RemoteBackend.KIND_REMOTE)
public class RemoteBackend implements Gb28181Backend {

    static final String KIND_REMOTE = "remote";
    static final String NODE_UNREACHABLE = "node_unreachable";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteBackend.class);
    private static final JavaType CHANNELS = NodeClient.JSON.getTypeFactory()
            .constructCollectionType(List.class, ChannelView.class);
    private static final JavaType SESSIONS = NodeClient.JSON.getTypeFactory()
            .constructCollectionType(List.class, SessionView.class);

    private final NodeDirectory directory;

    @Activate
    public RemoteBackend(@Reference NodeDirectory directory) {
        this.directory = directory;
    }

    @Override
    public String kind() {
        return KIND_REMOTE;
    }

    @Override
    public List<DeviceView> devices() {
        List<DeviceView> all = new ArrayList<>();
        for (NodeDirectory.NodeDevices n : directory.refresh()) {
            if (n.failure() == null) {
                all.addAll(n.devices());
            } else {
                LOG.warn("listing devices: {}; its {} known device(s) are shown offline", n.failure().getMessage(),
                        n.devices().size());
                n.devices().forEach(d -> all.add(unreachable(d)));
            }
        }
        all.sort(Comparator.comparing(DeviceView::device_id));
        return all;
    }

    private static DeviceView unreachable(DeviceView d) {
        return new DeviceView(d.device_id(), d.name(), false, NODE_UNREACHABLE, d.transport(), d.host(), d.port(),
                d.manufacturer(), d.model(), d.firmware(), d.registered_at(), d.expires_at(), d.last_seen(),
                d.channel_count());
    }

    @Override
    public Optional<DeviceView> device(String deviceId) {
        Optional<NodeClient> node = directory.nodeFor(deviceId);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(node.get().get("gb28181/devices/" + deviceId, DeviceView.class));
        } catch (Gb28181Exception e) {
            if (e.reason() == Reason.UNKNOWN_DEVICE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<ChannelView> channels(String deviceId) {
        return owner(deviceId).get("gb28181/devices/" + deviceId + "/channels", CHANNELS);
    }

    @Override
    public CatalogResult catalog(DeviceRequest request) {
        return owner(request.device_id()).post("gb28181/catalog", request, CatalogResult.class);
    }

    @Override
    public DeviceInfoResult deviceInfo(DeviceRequest request) {
        return owner(request.device_id()).post("gb28181/device-info", request, DeviceInfoResult.class);
    }

    @Override
    public DeviceStatusResult deviceStatus(DeviceRequest request) {
        return owner(request.device_id()).post("gb28181/device-status", request, DeviceStatusResult.class);
    }

    @Override
    public SessionView invite(InviteRequest request) {
        NodeClient node = owner(request.device_id());
        SessionView session = node.post("gb28181/invite", request, SessionView.class);
        directory.noteSession(session, node);
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", request.device_id());
                MDC.MDCCloseable c = MDC.putCloseable("call_id", session.call_id())) {
            LOG.info("invite of channel {} served by node {}", request.channel_id(), node.name());
        }
        return session;
    }

    @Override
    public SessionView bye(ByeRequest request) {
        NodeClient node;
        if (request.device_id() != null) {
            node = owner(request.device_id());
        } else {
            node = directory.nodeForCall(request.call_id()).orElseGet(() -> locateCall(request.call_id()));
        }
        SessionView ended = node.post("gb28181/bye", request, SessionView.class);
        directory.noteSession(ended, node);
        return ended;
    }

    /** A call id this gateway did not see started (another gateway, a restart): asks every node's sessions. */
    private NodeClient locateCall(String callId) {
        List<String> down = new ArrayList<>();
        for (NodeClient node : directory.nodes()) {
            try {
                List<SessionView> sessions = node.get("gb28181/sessions", SESSIONS);
                sessions.forEach(s -> directory.noteSession(s, node));
                if (sessions.stream().anyMatch(s -> callId.equals(s.call_id()))) {
                    return node;
                }
            } catch (Gb28181Exception e) {
                down.add(e.getMessage());
            }
        }
        if (!down.isEmpty()) {
            throw new Gb28181Exception(Reason.UNAVAILABLE, "session " + callId + " is on no reachable GB28181 node; "
                    + String.join("; ", down));
        }
        throw new Gb28181Exception(Reason.UNKNOWN_SESSION, "unknown session " + callId);
    }

    @Override
    public List<SessionView> sessions() {
        List<SessionView> all = new ArrayList<>();
        for (NodeClient node : directory.nodes()) {
            try {
                List<SessionView> sessions = node.get("gb28181/sessions", SESSIONS);
                sessions.forEach(s -> directory.noteSession(s, node));
                all.addAll(sessions);
            } catch (Gb28181Exception e) {
                LOG.warn("listing sessions: {}; its sessions are left out", e.getMessage());
            }
        }
        // As on one node: live sessions first, then ended ones; newest first within each.
        all.sort(Comparator.comparing((SessionView s) -> s.ended_at() != null)
                .thenComparing(SessionView::started_at, Comparator.nullsLast(Comparator.<Instant>reverseOrder())));
        return all;
    }

    private NodeClient owner(String deviceId) {
        return directory.nodeFor(deviceId).orElseThrow(
                () -> new Gb28181Exception(Reason.UNKNOWN_DEVICE, "unknown device " + deviceId));
    }
}
