package io.flux.media.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import io.flux.media.itests.Await;
import io.flux.media.itests.e2e.ServerApi.Reply;
import io.flux.media.testing.gb28181.GbSimulator;
import io.flux.media.testing.gb28181.PsMediaFile;
import io.flux.media.testing.gb28181.SimDevice;
import io.flux.media.testing.gb28181.SimTransport;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The remote shape end to end, all real processes from the exported jars: two {@code flux-gb28181d} media nodes,
 * each with its own SIP port, RTP port range and simulated cameras, and a gateway ({@code flux-server} with
 * {@code backend=remote}) routing by device across both. Every {@code /api/v1/gb28181/*} endpoint goes through the
 * gateway, as do a snapshot and a recording download (judged by ffprobe) of a stream living on a node; the
 * traceparent is found in the node's log; a wrong node token is a clear 502; a killed node is 503 naming it for its
 * devices while the other node's keep working.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class RemoteNodeE2EIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String NODE_TOKEN = "e2e-node-token-0123456789abcdef";
    private static final String PASSWORD = "e2e-device-secret";
    private static final String CAM1 = "34020000001320000011";
    private static final String CAM2 = "34020000001320000022";
    private static final String UNKNOWN = "34020000001320000099";
    private static final String REMOTE_PID = "io.flux.media.protocol.gb28181.remote";

    private static Path work;
    private static ServerProcess node1;
    private static ServerProcess node2;
    private static ServerProcess gateway;
    private static ServerApi api;
    private static GbSimulator sim1;
    private static GbSimulator sim2;

    @BeforeClass
    public static void start() throws Exception {
        work = Path.of(System.getProperty("flux.itest.work", "target/itest-work")).resolve("e2e-remote-node");
        ServerProcess.deleteTree(work);
        int base = 41000 + new Random().nextInt(80) * 100;
        int sip1 = freeUdpTcpPort();
        int sip2 = freeUdpTcpPort();
        node1 = node("node1", sip1, base);
        node2 = node("node2", sip2, base + 100);
        node1.start();
        node2.start();
        gateway = new ServerProcess(work.resolve("gateway"), Map.of(
                "io.flux.media.protocol.gb28181.cfg", "backend=remote\nbind.address=127.0.0.1\nbind.port=" + sip1 + "\n",
                REMOTE_PID + ".cfg", String.join("\n", "base.url=" + node1.base() + "," + node2.base(),
                        ".token=" + NODE_TOKEN, "connect.timeout.ms=1000", "request.timeout.ms=20000",
                        "get.retries=1", "retry.backoff.ms=100", "")));
        gateway.start();
        api = new ServerApi(gateway);
        for (ServerProcess node : new ServerProcess[] {node1, node2}) {
            ServerApi n = new ServerApi(node, NODE_TOKEN);
            await("node features booted", () -> n.get("features"), r -> r.status() == 200 && ServerApi.installed(r.json(), "gb28181")
                    && ServerApi.installed(r.json(), "storage-local") && ServerApi.installed(r.json(), "snapshot-keyframe"));
        }
        await("gateway features booted", () -> api.get("features"),
                r -> r.status() == 200 && ServerApi.installed(r.json(), "gb28181-remote") && ServerApi.installed(r.json(), "gb28181"));
        PsMediaFile media = PsMediaFile.load(PsMediaFile.generate(work.resolve("sim-media"), 1000));
        sim1 = GbSimulator.builder().server("127.0.0.1", sip1).transport(SimTransport.UDP).localAddress("127.0.0.1")
                .keepaliveInterval(Duration.ofSeconds(1)).media(media).build();
        sim2 = GbSimulator.builder().server("127.0.0.1", sip2).transport(SimTransport.UDP).localAddress("127.0.0.1")
                .keepaliveInterval(Duration.ofSeconds(1)).media(media).build();
        sim1.addDevice(CAM1, PASSWORD, 2);
        sim2.addDevice(CAM2, PASSWORD, 1);
    }

    private static ServerProcess node(String name, int sipPort, int mediaBase) throws IOException {
        return new ServerProcess(work.resolve(name), Map.of("io.flux.media.protocol.gb28181.cfg", String.join("\n",
                "bind.address=127.0.0.1", "bind.port=" + sipPort, ".password=" + PASSWORD,
                "media.bind.address=127.0.0.1", "media.port.min=" + mediaBase, "media.port.max=" + (mediaBase + 99),
                "keepalive.interval.s=1", "keepalive.max.missed=3", "invite.timeout.s=5", "query.timeout.s=5",
                "session.no.rtp.timeout.s=5", "session.media.timeout.s=5", "")),
                "flux-gb28181d", Map.of("FLUX_GB28181D_TOKEN", NODE_TOKEN));
    }

    @AfterClass
    public static void stop() throws Exception {
        for (GbSimulator sim : new GbSimulator[] {sim1, sim2}) {
            if (sim != null) {
                sim.close();
            }
        }
        for (ServerProcess p : new ServerProcess[] {gateway, node1, node2}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    public void a00_theNodeIsItsOwnRuntime() throws Exception {
        ServerApi anonymous = new ServerApi(node1, "");
        ServerApi wrong = new ServerApi(node1, ServerProcess.ADMIN_TOKEN);
        assertThat(anonymous.get("/api/v1/health").status()).isEqualTo(200);
        assertThat(anonymous.get("gb28181/devices").status()).as("deny by default").isEqualTo(401);
        assertThat(wrong.get("gb28181/devices").status()).as("the gateway's admin token is not the node's")
                .isEqualTo(401);
        ServerApi node = new ServerApi(node1, NODE_TOKEN);
        Reply features = node.get("features");
        assertThat(ServerApi.installed(features.json(), "mediamtx")).as("no MediaMTX catalogue on a node").isFalse();
        assertThat(ServerApi.installed(features.json(), "replay")).isFalse();
        assertThat(ServerApi.installed(features.json(), "gb28181-remote")).isFalse();
        assertThat(node.get("/metrics").status()).isEqualTo(200);
        // The gateway runs no SIP server of its own in remote mode.
        assertThat(gateway.log()).contains("embedded GB28181 SIP server off (backend is remote)");
        assertThat(api.get("/api/v1/health").body()).doesNotContain("gb28181_sip");
    }

    @Test
    public void a01_devicesOfBothNodesAppearAtTheGateway() throws Exception {
        for (GbSimulator sim : new GbSimulator[] {sim1, sim2}) {
            for (SimDevice d : sim.devices()) {
                d.register();
                assertThat(d.awaitRegistered(WAIT)).as("device %s registered: %s", d.id(), d.lastFailure()).isTrue();
            }
        }
        Reply all = await("both devices listed online", () -> api.get("gb28181/devices"),
                r -> r.status() == 200 && r.json().size() == 2 && r.json().get(0).path("online").asBoolean()
                        && r.json().get(1).path("online").asBoolean());
        assertThat(all.json().get(0).path("device_id").asText()).isEqualTo(CAM1);
        assertThat(all.json().get(1).path("device_id").asText()).isEqualTo(CAM2);
        assertThat(api.get("gb28181/devices/" + CAM2).json().path("online").asBoolean()).isTrue();
        // Each device lives on its own node only.
        assertThat(new ServerApi(node1, NODE_TOKEN).get("gb28181/devices/" + CAM2).status()).isEqualTo(404);
        assertThat(new ServerApi(node2, NODE_TOKEN).get("gb28181/devices/" + CAM2).status()).isEqualTo(200);
    }

    @Test
    public void a02_queriesGoToTheNodeHoldingTheDevice() {
        Reply catalog = api.post("gb28181/catalog", "{\"device_id\":\"" + CAM1 + "\"}");
        assertThat(catalog.status()).as(catalog.body()).isEqualTo(200);
        assertThat(catalog.json().path("sum_num").asInt()).isEqualTo(2);
        assertThat(catalog.json().path("complete").asBoolean()).isTrue();
        Reply catalog2 = api.post("gb28181/catalog", "{\"device_id\":\"" + CAM2 + "\"}");
        assertThat(catalog2.status()).as(catalog2.body()).isEqualTo(200);
        assertThat(catalog2.json().path("sum_num").asInt()).isEqualTo(1);
        Reply channels = api.get("gb28181/devices/" + CAM1 + "/channels");
        assertThat(channels.status()).as(channels.body()).isEqualTo(200);
        assertThat(channels.json().size()).isEqualTo(2);
        Reply info = api.post("gb28181/device-info", "{\"device_id\":\"" + CAM2 + "\"}");
        assertThat(info.status()).as(info.body()).isEqualTo(200);
        assertThat(info.json().path("manufacturer").asText()).isEqualTo("FluxSim");
        Reply status = api.post("gb28181/device-status", "{\"device_id\":\"" + CAM1 + "\"}");
        assertThat(status.status()).as(status.body()).isEqualTo(200);
        assertThat(status.json().path("online").asText()).isEqualTo("ONLINE");
    }

    @Test
    public void a03_errorsAreTheSameAsEmbedded() {
        ServerApi.assertError(api.post("gb28181/device-info", "{\"device_id\":\"" + UNKNOWN + "\"}"), 404, UNKNOWN);
        ServerApi.assertError(api.get("gb28181/devices/" + UNKNOWN), 404, UNKNOWN);
        ServerApi.assertError(api.get("gb28181/devices/" + UNKNOWN + "/channels"), 404, UNKNOWN);
        ServerApi.assertError(api.post("gb28181/bye", "{\"call_id\":\"no-such-call\"}"), 404, "no-such-call");
        ServerApi.assertError(api.post("gb28181/invite", "{\"device_id\":\"" + CAM1 + "\",\"channel_id\":\"" + channel(CAM1, 0)
                + "\",\"transport\":\"quic\"}"), 400, "transport");
        // A channel the device does not have: the node's device answers with a SIP error, passed on as such.
        Reply bad = api.post("gb28181/invite", "{\"device_id\":\"" + CAM1 + "\",\"channel_id\":\"" + UNKNOWN + "\"}");
        assertThat(bad.status()).as(bad.body()).isEqualTo(502);
        assertThat(bad.json().path("error").path("code").asText()).isEqualTo("device_rejected");
        assertThat(bad.json().path("error").path("message").asText()).contains("404", UNKNOWN);
    }

    @Test
    public void b01_liveMediaOnANodeIsServedThroughTheGateway() throws Exception {
        Reply invite = invite(CAM1, channel(CAM1, 0));
        assertThat(invite.status()).as(invite.body()).isEqualTo(200);
        String id = "gb28181/" + CAM1 + "/" + channel(CAM1, 0);
        assertThat(invite.json().path("stream_id").asText()).isEqualTo(id);
        await(id + " live through the gateway", () -> api.get("streams/" + id),
                s -> s.status() == 200 && "live".equals(s.json().path("state").asText())
                        && s.json().path("samples").asLong() > 25);
        HttpResponse<byte[]> snapshot = api.bytes("streams/" + id + "/snapshot?mode=keyframe");
        assertThat(snapshot.statusCode()).as(new String(snapshot.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(snapshot.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(snapshot.body()));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(480);
        Reply sessions = api.get("gb28181/sessions");
        assertThat(sessions.body()).contains(invite.json().path("call_id").asText());
        // The stream exists on node 1, not on the gateway: the gateway forwarded.
        assertThat(new ServerApi(node1, NODE_TOKEN).get("streams/" + id).status()).isEqualTo(200);
    }

    @Test
    public void b02_aRecordingOnANodeDownloadsThroughTheGateway() throws Exception {
        String id = "gb28181/" + CAM1 + "/" + channel(CAM1, 0);
        Reply start = api.post("streams/" + id + "/record/start", "{\"strategy\":\"time\",\"value\":2}");
        assertThat(start.status()).as(start.body()).isIn(200, 201, 202);
        Reply list = await("two closed segments of " + id, () -> api.get("streams/" + id + "/recordings"),
                r -> r.status() == 200 && r.json().path("count").asInt() >= 2);
        JsonNode segment = list.json().path("segments").get(0);
        Path file = api.download(segment.path("url").asText(), work.resolve("downloads/remote-segment.mp4"));
        assertThat(Ffmpeg.problems(file)).isEmpty();
        Ffmpeg.Result probe = Ffmpeg.run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                "stream=codec_name,width,height", "-of", "csv=p=0", file.toString());
        assertThat(probe.output()).isEqualTo("h264,640,480");
        HttpResponse<byte[]> range = api.bytes(segment.path("url").asText(), "Range", "bytes=0-99");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).hasSize(100);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 0-99/" + segment.path("bytes").asLong());
        api.post("streams/" + id + "/record/stop", "");
    }

    @Test
    public void b03_theOtherNodeStreamsToo() {
        Reply invite = invite(CAM2, channel(CAM2, 0));
        assertThat(invite.status()).as(invite.body()).isEqualTo(200);
        String id = invite.json().path("stream_id").asText();
        await(id + " live", () -> api.get("streams/" + id),
                s -> s.status() == 200 && s.json().path("samples").asLong() > 25);
        Reply sessions = api.get("gb28181/sessions");
        assertThat(sessions.body()).contains(CAM1, CAM2);
    }

    @Test
    public void c01_traceparentArrivesAtTheNode() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Reply info = api.post("gb28181/device-info", "{\"device_id\":\"" + CAM2 + "\"}", "traceparent",
                "00-" + traceId + "-00f067aa0ba902b7-01");
        assertThat(info.status()).as(info.body()).isEqualTo(200);
        Await.until("node 2 logged the trace", WAIT, () -> logOf(node2).matches(
                "(?s).*POST /api/v1/gb28181/device-info traceparent 00-" + traceId + "-[0-9a-f]{16}-01.*"));
        // Without one from the client, the gateway starts a trace: the node still gets a valid traceparent.
        long before = count(logOf(node1), "GET /api/v1/gb28181/devices/" + CAM1 + " traceparent 00-");
        assertThat(api.get("gb28181/devices/" + CAM1).status()).isEqualTo(200);
        Await.until("node 1 logged a created trace", WAIT, () -> count(logOf(node1),
                "GET /api/v1/gb28181/devices/" + CAM1 + " traceparent 00-") > before);
    }

    @Test
    public void c02_byeThroughTheGateway() {
        String callId = session(CAM1, channel(CAM1, 0)).path("call_id").asText();
        Reply bye = api.post("gb28181/bye", "{\"call_id\":\"" + callId + "\"}");
        assertThat(bye.status()).as(bye.body()).isEqualTo(200);
        assertThat(bye.json().path("end_reason").asText()).isEqualTo("bye_api");
        Reply byChannel = api.post("gb28181/bye", "{\"device_id\":\"" + CAM2 + "\",\"channel_id\":\""
                + channel(CAM2, 0) + "\"}");
        assertThat(byChannel.status()).as(byChannel.body()).isEqualTo(200);
        assertThat(byChannel.json().path("state").asText()).isEqualTo("ended");
    }

    @Test
    public void d01_theModeAndTheNodesAreRestartOnlyButTheTokenIsHot() {
        Reply mode = api.patch("config/io.flux.media.protocol.gb28181", "{\"backend\":\"embedded\"}");
        assertThat(mode.status()).as(mode.body()).isEqualTo(409);
        assertThat(mode.body()).contains("backend");
        Reply urls = api.patch("config/" + REMOTE_PID, "{\"base.url\":\"http://127.0.0.1:1\"}");
        assertThat(urls.status()).as(urls.body()).isEqualTo(409);
        assertThat(urls.body()).contains("base.url");

        Reply wrong = api.patch("config/" + REMOTE_PID, "{\".token\":\"not-the-node-token-0123456789\"}");
        assertThat(wrong.status()).as(wrong.body()).isEqualTo(200);
        Reply refused = await("the wrong token in use", () -> api.get("gb28181/devices/" + CAM1),
                r -> r.status() == 502);
        assertThat(refused.json().path("error").path("code").asText()).isEqualTo("node_auth_failed");
        assertThat(refused.json().path("error").path("message").asText())
                .contains(node1.base(), "refused the node token");
        Reply right = api.patch("config/" + REMOTE_PID, "{\".token\":\"" + NODE_TOKEN + "\"}");
        assertThat(right.status()).as(right.body()).isEqualTo(200);
        await("the right token again", () -> api.get("gb28181/devices/" + CAM1), r -> r.status() == 200);
    }

    @Test
    public void e01_aDeadNodeIs503ForItsDevicesOnly() throws Exception {
        String node1Url = node1.base();
        node1.kill();
        Reply info = api.post("gb28181/device-info", "{\"device_id\":\"" + CAM1 + "\"}");
        ServerApi.assertError(info, 503, node1Url);
        ServerApi.assertError(api.get("gb28181/devices/" + CAM1), 503, node1Url);
        ServerApi.assertError(api.post("gb28181/invite", "{\"device_id\":\"" + CAM1 + "\",\"channel_id\":\""
                + channel(CAM1, 1) + "\"}"), 503, node1Url);
        HttpResponse<byte[]> snapshot = api.bytes("streams/gb28181/" + CAM1 + "/" + channel(CAM1, 0) + "/snapshot");
        assertThat(snapshot.statusCode()).isEqualTo(503);
        assertThat(new String(snapshot.body(), StandardCharsets.UTF_8)).contains(node1Url);
        // The other node carries on.
        Reply other = api.post("gb28181/device-status", "{\"device_id\":\"" + CAM2 + "\"}");
        assertThat(other.status()).as(other.body()).isEqualTo(200);
        Reply devices = api.get("gb28181/devices");
        assertThat(devices.status()).as(devices.body()).isEqualTo(200);
        assertThat(devices.json().get(0).path("device_id").asText()).isEqualTo(CAM1);
        assertThat(devices.json().get(0).path("online").asBoolean()).isFalse();
        assertThat(devices.json().get(0).path("offline_reason").asText()).isEqualTo("node_unreachable");
        assertThat(devices.json().get(1).path("online").asBoolean()).isTrue();
        assertThat(api.get("gb28181/sessions").status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String channel(String deviceId, int index) {
        GbSimulator sim = deviceId.equals(CAM1) ? sim1 : sim2;
        return sim.device(deviceId).channelIds().get(index);
    }

    private static Reply invite(String device, String channel) {
        return api.post("gb28181/invite", "{\"device_id\":\"" + device + "\",\"channel_id\":\"" + channel
                + "\",\"transport\":\"udp\"}");
    }

    /** The newest session of a device's channel (both simulators number their channels alike). */
    private static JsonNode session(String device, String channel) {
        Reply r = api.get("gb28181/sessions");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode s : r.json()) {
            if (device.equals(s.path("device_id").asText()) && channel.equals(s.path("channel_id").asText())) {
                return s;
            }
        }
        throw new AssertionError("no session of channel " + channel + " in " + r.body());
    }

    private static String logOf(ServerProcess p) {
        try {
            return p.log();
        } catch (IOException e) {
            return "";
        }
    }

    private static long count(String text, String part) {
        long n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static Reply await(String what, java.util.function.Supplier<Reply> call, Predicate<Reply> ok) {
        return Await.value(what, WAIT, call, ok);
    }

    private static int freeUdpTcpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket tcp = new ServerSocket(0); DatagramSocket udp = new DatagramSocket(tcp.getLocalPort())) {
                return tcp.getLocalPort();
            } catch (IOException e) {
                // taken for UDP: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }
}
