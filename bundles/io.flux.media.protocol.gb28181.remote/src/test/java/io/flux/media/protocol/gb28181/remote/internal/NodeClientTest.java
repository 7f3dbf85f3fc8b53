package io.flux.media.protocol.gb28181.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.gb28181.DeviceRequest;
import io.flux.media.api.gb28181.DeviceView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.rest.ApiException;

class NodeClientTest {

    private static final String TOKEN = "node-token-0123456789";
    private static final String DEVICE = "34020000001320000001";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private FakeNode node;

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
    }

    private NodeClient client(FakeNode n, int retries, Duration timeout) {
        return new NodeClient(URI.create(n.url()), http,
                new NodeClient.Settings(TOKEN, timeout, retries, Duration.ofMillis(10)));
    }

    @Test
    void getReadsTheDtosAndSendsTokenAndANewTraceWhenThereIsNone() throws Exception {
        node = new FakeNode().answer("GET /api/v1/gb28181/devices", 200, "[{\"device_id\":\"" + DEVICE
                + "\",\"online\":true,\"registered_at\":\"2026-01-02T03:04:05Z\",\"channel_count\":3}]");
        List<DeviceView> devices = client(node, 0, Duration.ofSeconds(5)).get("gb28181/devices",
                NodeClient.JSON.getTypeFactory().constructCollectionType(List.class, DeviceView.class));
        assertThat(devices).hasSize(1);
        assertThat(devices.get(0).device_id()).isEqualTo(DEVICE);
        assertThat(devices.get(0).channel_count()).isEqualTo(3);
        assertThat(devices.get(0).registered_at()).hasToString("2026-01-02T03:04:05Z");
        FakeNode.Received r = node.received.get(0);
        assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(Traceparent.parse(r.traceparent())).as(r.traceparent()).isPresent();
        assertThat(r.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    @Test
    void theIncomingTraceIsPropagatedWithANewParentId() throws Exception {
        node = new FakeNode().answer("POST /api/v1/gb28181/device-info", 200, "{\"device_id\":\"" + DEVICE
                + "\",\"manufacturer\":\"Sim\",\"channels\":2}");
        Traceparent incoming = Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .orElseThrow();
        Traceparent.setCurrent(incoming);
        try {
            DeviceInfoResult info = client(node, 0, Duration.ofSeconds(5)).post("gb28181/device-info",
                    new DeviceRequest(DEVICE), DeviceInfoResult.class);
            assertThat(info.manufacturer()).isEqualTo("Sim");
            assertThat(info.channels()).isEqualTo(2);
        } finally {
            Traceparent.clearCurrent();
        }
        FakeNode.Received r = node.received.get(0);
        assertThat(r.body()).isEqualTo("{\"device_id\":\"" + DEVICE + "\"}");
        Traceparent sent = Traceparent.parse(r.traceparent()).orElseThrow();
        assertThat(sent.traceId()).isEqualTo(incoming.traceId());
        assertThat(sent.parentId()).isNotEqualTo(incoming.parentId());
    }

    @Test
    void nodeErrorsKeepTheirReasonAndMessage() throws Exception {
        node = new FakeNode()
                .answer("GET /api/v1/gb28181/devices/" + DEVICE, 404,
                        "{\"error\":{\"status\":404,\"code\":\"unknown_device\",\"message\":\"unknown device " + DEVICE
                                + "\"}}")
                .answer("POST /api/v1/gb28181/device-status", 409,
                        "{\"error\":{\"status\":409,\"code\":\"device_offline\",\"message\":\"device is offline\"}}")
                .answer("POST /api/v1/gb28181/catalog", 504,
                        "{\"error\":{\"status\":504,\"code\":\"device_timeout\",\"message\":\"no answer in 5 s\"}}")
                .answer("POST /api/v1/gb28181/invite", 413,
                        "{\"error\":{\"status\":413,\"code\":\"payload_too_large\",\"message\":\"too big\"}}")
                .answer("GET /api/v1/gb28181/sessions", 500, "boom");
        NodeClient c = client(node, 0, Duration.ofSeconds(5));
        assertThatThrownBy(() -> c.get("gb28181/devices/" + DEVICE, DeviceView.class))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_DEVICE);
                    assertThat(e.getMessage()).isEqualTo("unknown device " + DEVICE);
                });
        assertThatThrownBy(() -> c.post("gb28181/device-status", new DeviceRequest(DEVICE), Object.class))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.OFFLINE));
        assertThatThrownBy(() -> c.post("gb28181/catalog", new DeviceRequest(DEVICE), Object.class))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                    assertThat(e.getMessage()).isEqualTo("no answer in 5 s");
                });
        assertThatThrownBy(() -> c.post("gb28181/invite", new DeviceRequest(DEVICE), Object.class))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.code()).isEqualTo("payload_too_large");
                    assertThat(e.getMessage()).isEqualTo("too big");
                });
        assertThatThrownBy(() -> c.get("gb28181/sessions", Object.class))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.getMessage()).contains(node.url(), "500", "boom");
                });
    }

    @Test
    void aRefusedTokenIsA502SayingSo() throws Exception {
        node = new FakeNode().answer("GET /api/v1/gb28181/devices", 401,
                "{\"error\":{\"status\":401,\"code\":\"unauthorized\",\"message\":\"missing or invalid bearer token\"}}");
        assertThatThrownBy(() -> client(node, 2, Duration.ofSeconds(5)).get("gb28181/devices", Object.class))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.code()).isEqualTo("node_auth_failed");
                    assertThat(e.getMessage()).contains(node.url(), "refused the node token", "FLUX_GB28181D_TOKEN");
                    assertThat(e.getMessage()).doesNotContain(TOKEN);
                });
        assertThat(node.hits("GET", "/api/v1/gb28181/devices")).as("an answer is never retried").isEqualTo(1);
    }

    @Test
    void getIsRetriedAfterATransportFailureButPostIsNot() throws Exception {
        node = new FakeNode().answer("GET /api/v1/gb28181/sessions", 200, "[]")
                .answer("POST /api/v1/gb28181/bye", 200, "{}");
        node.dropNext.set(2);
        assertThat((List<?>) client(node, 2, Duration.ofSeconds(5)).get("gb28181/sessions", List.class)).isEmpty();

        // Every connection cut. The JDK client itself may resend a GET once per attempt (and any request on a
        // stale pooled connection); our policy shows as more than the JDK's two tries for a GET, one for a POST.
        node.dropNext.set(1000);
        long before = node.hits("GET", "/api/v1/gb28181/sessions");
        assertThatThrownBy(() -> client(node, 2, Duration.ofSeconds(5)).get("gb28181/sessions", List.class))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                    assertThat(e.getMessage()).contains(node.url());
                });
        assertThat(node.hits("GET", "/api/v1/gb28181/sessions") - before).isGreaterThanOrEqualTo(3);
        NodeClient fresh = new NodeClient(URI.create(node.url()), HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).build(),
                new NodeClient.Settings(TOKEN, Duration.ofSeconds(5), 2, Duration.ofMillis(10)));
        assertThatThrownBy(() -> fresh.post("gb28181/bye", new DeviceRequest(DEVICE), Object.class))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
        assertThat(node.hits("POST", "/api/v1/gb28181/bye")).isEqualTo(1);
    }

    @Test
    void aSilentNodeIsATimeoutNamingIt() throws Exception {
        node = new FakeNode().answer("GET /api/v1/gb28181/sessions", 200, "[]");
        node.hang = true;
        assertThatThrownBy(() -> client(node, 0, Duration.ofMillis(300)).get("gb28181/sessions", List.class))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                    assertThat(e.getMessage()).contains(node.url(), "300 ms");
                });
    }

    @Test
    void aNodeNobodyListensOnIsUnavailableNamingIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NodeClient c = new NodeClient(URI.create("http://127.0.0.1:" + port), http,
                new NodeClient.Settings(TOKEN, Duration.ofSeconds(2), 1, Duration.ofMillis(10)));
        assertThatThrownBy(() -> c.get("gb28181/devices", List.class))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("http://127.0.0.1:" + port, "unreachable");
                });
    }
}
