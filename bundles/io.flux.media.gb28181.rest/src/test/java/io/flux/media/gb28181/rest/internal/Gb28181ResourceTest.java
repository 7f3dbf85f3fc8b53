package io.flux.media.gb28181.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

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
import io.flux.media.api.rest.ApiException;

class Gb28181ResourceTest {

    static final String DEVICE = "34020000001320000001";
    static final String CHANNEL = "34020000001310000001";

    /** Records calls; throws the configured exception from every operation. */
    static final class RecordingBackend implements Gb28181Backend {
        final List<Object> calls = new ArrayList<>();
        Gb28181Exception failure;

        private <T> T answer(Object call, T value) {
            calls.add(call);
            if (failure != null) {
                throw failure;
            }
            return value;
        }

        @Override
        public String kind() {
            return "embedded";
        }

        @Override
        public List<DeviceView> devices() {
            return answer("devices", List.of(view(DEVICE)));
        }

        @Override
        public Optional<DeviceView> device(String deviceId) {
            return answer("device " + deviceId, DEVICE.equals(deviceId) ? Optional.of(view(deviceId))
                    : Optional.empty());
        }

        @Override
        public List<ChannelView> channels(String deviceId) {
            return answer("channels " + deviceId, List.of());
        }

        @Override
        public CatalogResult catalog(DeviceRequest request) {
            return answer(request, new CatalogResult(request.device_id(), 0, true, List.of()));
        }

        @Override
        public DeviceInfoResult deviceInfo(DeviceRequest request) {
            return answer(request, new DeviceInfoResult(request.device_id(), null, null, null, null, null, "OK"));
        }

        @Override
        public DeviceStatusResult deviceStatus(DeviceRequest request) {
            return answer(request, new DeviceStatusResult(request.device_id(), "ONLINE", "OK", null, null, null,
                    "OK"));
        }

        @Override
        public SessionView invite(InviteRequest request) {
            return answer(request, session(request.device_id(), request.channel_id()));
        }

        @Override
        public SessionView bye(ByeRequest request) {
            return answer(request, session(DEVICE, CHANNEL));
        }

        @Override
        public List<SessionView> sessions() {
            return answer("sessions", List.of());
        }

        static DeviceView view(String id) {
            return new DeviceView(id, null, true, null, "UDP", "127.0.0.1", 5060, null, null, null, Instant.EPOCH,
                    Instant.EPOCH, Instant.EPOCH, 0);
        }

        static SessionView session(String device, String channel) {
            return new SessionView("gb28181/" + device + "/" + channel, "c1", device, channel, "0200000001", "udp",
                    30000, "waiting_media", Instant.EPOCH, null, null, null, null, 0, 0, 0, 0, 0, false);
        }
    }

    final RecordingBackend backend = new RecordingBackend();
    final Gb28181Resource resource = new Gb28181Resource(backend);

    @Test
    void passesValidRequestsThrough() {
        assertThat(resource.invite(new InviteRequest(DEVICE, CHANNEL, "tcp_active")).stream_id())
                .isEqualTo("gb28181/" + DEVICE + "/" + CHANNEL);
        assertThat(resource.catalog(new DeviceRequest(DEVICE)).device_id()).isEqualTo(DEVICE);
        assertThat(resource.bye(new ByeRequest(null, null, "abc@host")).call_id()).isEqualTo("c1");
        assertThat(resource.device(DEVICE).device_id()).isEqualTo(DEVICE);
        assertThat(backend.calls).hasSize(4);
    }

    @Test
    void refusesBadIdsAndBodiesWithoutCallingTheBackend() {
        assertStatus(() -> resource.invite(null), 400, "required");
        assertStatus(() -> resource.invite(new InviteRequest("123", CHANNEL, "udp")), 400, "device_id");
        assertStatus(() -> resource.invite(new InviteRequest(DEVICE, "3402000000131000000x", null)), 400,
                "channel_id");
        assertStatus(() -> resource.invite(new InviteRequest(DEVICE, CHANNEL, "sctp")), 400, "transport");
        assertStatus(() -> resource.catalog(new DeviceRequest(null)), 400, "device_id is required");
        assertStatus(() -> resource.bye(new ByeRequest(DEVICE, null, null)), 400, "channel_id");
        assertStatus(() -> resource.bye(new ByeRequest(DEVICE, CHANNEL, "abc")), 400, "not both");
        assertStatus(() -> resource.bye(new ByeRequest(null, null, "has space")), 400, "call_id");
        assertStatus(() -> resource.device("../etc"), 400, "device_id");
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void mapsBackendFailuresToTheirStatus() {
        for (Reason reason : Reason.values()) {
            backend.failure = new Gb28181Exception(reason, "because " + reason);
            assertThatThrownBy(() -> resource.deviceInfo(new DeviceRequest(DEVICE)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(reason.status());
                        assertThat(e.code()).isEqualTo(reason.code());
                        assertThat(e.getMessage()).isEqualTo("because " + reason);
                    });
        }
        assertThat(Reason.OFFLINE.status()).isEqualTo(409);
        assertThat(Reason.TIMEOUT.status()).isEqualTo(504);
        assertThat(Reason.UNKNOWN_DEVICE.status()).isEqualTo(404);
    }

    @Test
    void unknownDeviceIs404() {
        assertStatus(() -> resource.device("34020000001320000999"), 404, "unknown device");
    }

    @Test
    void noBackendIs503() {
        Gb28181Resource none = new Gb28181Resource(null);
        assertStatus(none::devices, 503, "no GB28181 backend");
    }

    private static void assertStatus(Runnable call, int status, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }
}
