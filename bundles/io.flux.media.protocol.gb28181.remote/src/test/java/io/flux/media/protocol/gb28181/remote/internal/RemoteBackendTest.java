package io.flux.media.protocol.gb28181.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.gb28181.ByeRequest;
import io.flux.media.api.gb28181.DeviceRequest;
import io.flux.media.api.gb28181.DeviceView;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.gb28181.InviteRequest;
import io.flux.media.api.gb28181.SessionView;
import io.flux.media.testing.Configs;

/** Routing across two real local HTTP servers standing in for nodes. */
class RemoteBackendTest {

    private static final String A1 = "34020000001320000001";
    private static final String B1 = "34020000001320000002";
    private static final String CH = "34020000001310000001";

    private FakeNode a;
    private FakeNode b;
    private RemoteBackend backend;

    @BeforeEach
    void nodes() throws Exception {
        a = new FakeNode().answer("GET /api/v1/gb28181/devices", 200, devices(A1))
                .answer("POST /api/v1/gb28181/invite", 200, session(A1, "call-a", null))
                .answer("GET /api/v1/gb28181/sessions", 200, "[" + session(A1, "call-a", null) + "]")
                .answer("POST /api/v1/gb28181/bye", 200, session(A1, "call-a", "2026-01-01T00:00:09Z"));
        b = new FakeNode().answer("GET /api/v1/gb28181/devices", 200, devices(B1))
                .answer("GET /api/v1/gb28181/devices/" + B1, 200, devices(B1).substring(1, devices(B1).length() - 1))
                .answer("POST /api/v1/gb28181/device-info", 200, "{\"device_id\":\"" + B1 + "\",\"channels\":1}")
                .answer("GET /api/v1/gb28181/sessions", 200, "[" + session(B1, "call-b", "2026-01-01T00:00:05Z") + "]");
        NodeDirectory directory = new NodeDirectory(Configs.of(NodeDirectory.Config.class,
                Map.of("base_url", a.url() + " , " + b.url() + "/", "_token", "t0123456789abcdef",
                        "get_retries", 0)), false);
        backend = new RemoteBackend(directory);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void callsGoToTheNodeHoldingTheDevice() {
        assertThat(backend.deviceInfo(new DeviceRequest(B1)).channels()).isEqualTo(1);
        assertThat(b.hits("POST", "/api/v1/gb28181/device-info")).isEqualTo(1);
        assertThat(a.hits("POST", "/api/v1/gb28181/device-info")).isZero();
        SessionView s = backend.invite(new InviteRequest(A1, CH, "udp"));
        assertThat(s.call_id()).isEqualTo("call-a");
        assertThat(a.hits("POST", "/api/v1/gb28181/invite")).isEqualTo(1);
        assertThat(backend.bye(new ByeRequest(null, null, "call-a")).state()).isEqualTo("ended");
        assertThat(a.hits("POST", "/api/v1/gb28181/bye")).isEqualTo(1);
        // Routed by the call remembered at invite, not by searching the nodes' session lists.
        assertThat(a.hits("GET", "/api/v1/gb28181/sessions") + b.hits("GET", "/api/v1/gb28181/sessions")).isZero();
        assertThat(backend.device(B1)).map(DeviceView::device_id).hasValue(B1);
        assertThatThrownBy(() -> backend.channels("34020000001320000099"))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_DEVICE));
    }

    @Test
    void listsMergeTheNodes() {
        assertThat(backend.devices()).extracting(DeviceView::device_id).containsExactly(A1, B1);
        List<SessionView> sessions = backend.sessions();
        assertThat(sessions).extracting(SessionView::call_id).containsExactly("call-a", "call-b");
    }

    @Test
    void aDeadNodeFailsItsDevicesOnlyAndNamesItself() {
        assertThat(backend.devices()).hasSize(2);
        String deadUrl = a.url();
        a.close();
        assertThatThrownBy(() -> backend.invite(new InviteRequest(A1, CH, "udp")))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                    assertThat(e.getMessage()).contains(deadUrl);
                });
        assertThat(backend.deviceInfo(new DeviceRequest(B1)).device_id()).isEqualTo(B1);
        List<DeviceView> devices = backend.devices();
        assertThat(devices).extracting(DeviceView::device_id).containsExactly(A1, B1);
        assertThat(devices.get(0).online()).isFalse();
        assertThat(devices.get(0).offline_reason()).isEqualTo("node_unreachable");
        assertThat(devices.get(1).online()).isTrue();
        assertThat(backend.sessions()).extracting(SessionView::call_id).containsExactly("call-b");
    }

    @Test
    void aByeForACallNoNodeHasIsUnknownSession() {
        assertThatThrownBy(() -> backend.bye(new ByeRequest(null, null, "nope")))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SESSION));
    }

    @Test
    void aMissingOrBadBaseUrlIsRefusedAtActivation() {
        assertThatThrownBy(() -> NodeDirectory.parse(" , ")).hasMessageContaining("names no node");
        assertThatThrownBy(() -> NodeDirectory.parse("ftp://x")).hasMessageContaining("http://");
    }

    private static String devices(String id) {
        return "[{\"device_id\":\"" + id + "\",\"online\":true,\"channel_count\":1}]";
    }

    private static String session(String device, String callId, String endedAt) {
        return "{\"stream_id\":\"gb28181/" + device + "/" + CH + "\",\"call_id\":\"" + callId + "\",\"device_id\":\""
                + device + "\",\"channel_id\":\"" + CH + "\",\"ssrc\":\"0200000001\",\"transport\":\"udp\","
                + "\"media_port\":30000,\"state\":\"" + (endedAt == null ? "streaming" : "ended")
                + "\",\"started_at\":\"2026-01-01T00:00:00Z\"" + (endedAt == null ? "" : ",\"ended_at\":\"" + endedAt
                        + "\"") + ",\"rtp_packets\":0,\"rtp_bytes\":0,\"rtp_lost\":0,\"wrong_ssrc_packets\":0,"
                + "\"samples\":0,\"existing\":false}";
    }
}
