package io.flux.media.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * The GB28181 platform end to end: the exported server as its own process with the gb28181 feature, and the
 * device simulator (an independent SIP/RTP implementation, media from GStreamer's mpegpsmux) as cameras. Register
 * with digest, catalog, device info and status, live media over UDP, TCP passive and TCP active into snapshots
 * and recordings judged by ffprobe, BYE both ways, the three "no stream" diagnoses, keepalive loss, device
 * restart, garbage on the SIP and media ports, and devices and channels surviving a server restart.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class Gb28181E2EIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String PASSWORD = "e2e-device-secret";
    private static final String CAM = "34020000001320000001";
    private static final String TCP_CAM = "34020000001320000002";
    private static final String NO_MEDIA = "34020000001320000003";
    private static final String WRONG_SSRC = "34020000001320000004";
    private static final String TCP_NEVER = "34020000001320000005";
    private static final String UNKNOWN = "34020000001320000099";

    private static Path work;
    private static ServerProcess server;
    private static ServerApi api;
    private static int sipPort;
    private static PsMediaFile media;
    private static GbSimulator udpSim;
    private static GbSimulator tcpSim;

    @BeforeClass
    public static void start() throws Exception {
        work = Path.of(System.getProperty("flux.itest.work", "target/itest-work")).resolve("e2e-gb28181");
        ServerProcess.deleteTree(work);
        sipPort = freePort();
        int mediaBase = 40000 + new Random().nextInt(200) * 100;
        server = new ServerProcess(work, Map.of("io.flux.media.protocol.gb28181.cfg", String.join("\n",
                "bind.address=127.0.0.1", "bind.port=" + sipPort, ".password=" + PASSWORD,
                "media.bind.address=127.0.0.1", "media.port.min=" + mediaBase, "media.port.max=" + (mediaBase + 99),
                "keepalive.interval.s=1", "keepalive.max.missed=3", "invite.timeout.s=5", "query.timeout.s=5",
                "session.no.rtp.timeout.s=4", "session.media.timeout.s=5", "session.tcp.connect.timeout.s=4",
                ""))).start();
        api = new ServerApi(server);
        await("gb28181 feature installed", () -> api.get("features"),
                r -> r.status() == 200 && ServerApi.installed(r.json(), "gb28181") && ServerApi.installed(r.json(), "snapshot-keyframe")
                        && ServerApi.installed(r.json(), "storage-local"));
        media = PsMediaFile.load(PsMediaFile.generate(work.resolve("sim-media"), 1000));
        udpSim = simulator(SimTransport.UDP);
        udpSim.addDevice(CAM, PASSWORD, 3);
        udpSim.addDevice(NO_MEDIA, PASSWORD, 1).faults().noMedia(true);
        udpSim.addDevice(WRONG_SSRC, PASSWORD, 1).faults().wrongSsrc(true);
        udpSim.addDevice(TCP_NEVER, PASSWORD, 1).faults().tcpNeverConnect(true);
        tcpSim = simulator(SimTransport.TCP);
        tcpSim.addDevice(TCP_CAM, PASSWORD, 1);
    }

    private static GbSimulator simulator(SimTransport transport) throws IOException {
        // Another Sim instance is another independent set of channel ids; the catalog page size makes pages.
        return GbSimulator.builder().server("127.0.0.1", sipPort).transport(transport).localAddress("127.0.0.1")
                .keepaliveInterval(Duration.ofSeconds(1)).catalogPageSize(2).media(media).build();
    }

    @AfterClass
    public static void stop() throws Exception {
        for (GbSimulator sim : new GbSimulator[] {udpSim, tcpSim}) {
            if (sim != null) {
                sim.close();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    public void a01_devicesRegisterWithDigestOverUdpAndTcp() throws InterruptedException {
        for (SimDevice d : devices()) {
            d.register();
        }
        for (SimDevice d : devices()) {
            assertThat(d.awaitRegistered(WAIT)).as("device %s registered: %s", d.id(), d.lastFailure()).isTrue();
        }
        Reply all = api.get("gb28181/devices");
        assertThat(all.status()).isEqualTo(200);
        for (SimDevice d : devices()) {
            JsonNode view = device(d.id());
            assertThat(view.path("online").asBoolean()).as(view.toString()).isTrue();
            assertThat(view.path("host").asText()).isEqualTo("127.0.0.1");
        }
        assertThat(device(TCP_CAM).path("transport").asText()).isEqualTo("TCP");
        assertThat(device(CAM).path("transport").asText()).isEqualTo("UDP");
        // Health asks the SIP server itself (an OPTIONS to its own port), not just whether the bundle is active.
        Reply health = api.get("/api/v1/health");
        assertThat(health.body()).contains("gb28181_sip", "SIP server answers");
    }

    @Test
    public void a02_catalogAggregatesPagedAnswers() {
        Reply r = api.post("gb28181/catalog", "{\"device_id\":\"" + CAM + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("sum_num").asInt()).isEqualTo(3);
        assertThat(r.json().path("complete").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        r.json().path("channels").forEach(c -> names.add(c.path("name").asText()));
        // Pages of 2 items, GB18030 bodies declared GB2312: Chinese names must come through intact.
        assertThat(names).containsExactlyInAnyOrder("通道1", "通道2", "通道3");
        Reply channels = api.get("gb28181/devices/" + CAM + "/channels");
        assertThat(channels.json().size()).isEqualTo(3);
        assertThat(channels.json().get(0).path("status").asText()).isEqualTo("ON");
        assertThat(device(CAM).path("channel_count").asInt()).isEqualTo(3);
        // The TCP-signalling device answers over its connection.
        Reply tcp = api.post("gb28181/catalog", "{\"device_id\":\"" + TCP_CAM + "\"}");
        assertThat(tcp.status()).as(tcp.body()).isEqualTo(200);
        assertThat(tcp.json().path("channels").size()).isEqualTo(1);
    }

    @Test
    public void a03_deviceInfoAndStatus() {
        Reply info = api.post("gb28181/device-info", "{\"device_id\":\"" + CAM + "\"}");
        assertThat(info.status()).as(info.body()).isEqualTo(200);
        assertThat(info.json().path("manufacturer").asText()).isEqualTo("FluxSim");
        assertThat(info.json().path("channels").asInt()).isEqualTo(3);
        assertThat(device(CAM).path("manufacturer").asText()).isEqualTo("FluxSim");
        assertThat(device(CAM).path("firmware").asText()).isNotEmpty();
        Reply status = api.post("gb28181/device-status", "{\"device_id\":\"" + CAM + "\"}");
        assertThat(status.status()).as(status.body()).isEqualTo(200);
        assertThat(status.json().path("online").asText()).isEqualTo("ONLINE");
        assertThat(status.json().path("status").asText()).isEqualTo("OK");
    }

    @Test
    public void a04_badRequestsAreNamed() {
        ServerApi.assertError(api.post("gb28181/invite", "{\"device_id\":\"123\",\"channel_id\":\"" + channel(CAM, 0) + "\"}"),
                400, "device_id");
        ServerApi.assertError(api.post("gb28181/invite", "{\"device_id\":\"" + CAM + "\",\"channel_id\":\"" + channel(CAM, 0)
                + "\",\"transport\":\"quic\"}"), 400, "transport");
        ServerApi.assertError(api.post("gb28181/invite", "{\"device_id\":\"" + CAM + "\",\"chanel_id\":\"x\"}"), 400,
                "chanel_id");
        ServerApi.assertError(api.post("gb28181/invite", "not json"), 400, "JSON");
        ServerApi.assertError(api.post("gb28181/device-info", "{\"device_id\":\"" + UNKNOWN + "\"}"), 404, UNKNOWN);
        ServerApi.assertError(api.get("gb28181/devices/" + UNKNOWN), 404, UNKNOWN);
        ServerApi.assertError(api.post("gb28181/bye", "{\"call_id\":\"no-such-call\"}"), 404, "no-such-call");
    }

    @Test
    public void b01_liveMediaOverUdpTcpPassiveAndTcpActive() {
        String[] transports = {"udp", "tcp_passive", "tcp_active"};
        for (int i = 0; i < transports.length; i++) {
            Reply r = invite(CAM, channel(CAM, i), transports[i]);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("stream_id").asText()).isEqualTo("gb28181/" + CAM + "/" + channel(CAM, i));
            assertThat(r.json().path("ssrc").asText()).matches("0\\d{9}");
            assertThat(r.json().path("transport").asText()).isEqualTo(transports[i]);
            assertThat(r.json().path("media_port").asInt()).isPositive();
            assertThat(r.json().path("call_id").asText()).isNotEmpty();
        }
        for (int i = 0; i < transports.length; i++) {
            String id = "gb28181/" + CAM + "/" + channel(CAM, i);
            Reply stream = await(id + " live with H.264 640x480", () -> api.get("streams/" + id),
                    s -> s.status() == 200 && "live".equals(s.json().path("state").asText())
                            && s.json().path("width").asInt() == 640 && s.json().path("samples").asLong() > 25);
            assertThat(stream.json().path("codec").asText()).isEqualTo("h264");
            JsonNode session = session(channel(CAM, i));
            assertThat(session.path("state").asText()).isEqualTo("streaming");
            assertThat(session.path("rtp_lost").asLong()).isZero();
            assertThat(session.path("wrong_ssrc_packets").asLong()).isZero();
        }
        // A second invite for a playing channel returns the session already there.
        String callId = session(channel(CAM, 0)).path("call_id").asText();
        Reply again = invite(CAM, channel(CAM, 0), "udp");
        assertThat(again.json().path("existing").asBoolean()).isTrue();
        assertThat(again.json().path("call_id").asText()).isEqualTo(callId);
    }

    @Test
    public void b02_liveMediaFromADeviceSignallingOverTcp() {
        Reply r = invite(TCP_CAM, channel(TCP_CAM, 0), "udp");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("stream_id").asText();
        await(id + " live", () -> api.get("streams/" + id),
                s -> s.status() == 200 && s.json().path("samples").asLong() > 25);
    }

    @Test
    public void b03_snapshotOfAGbStream() throws Exception {
        String id = "gb28181/" + CAM + "/" + channel(CAM, 1);
        HttpResponse<byte[]> r = api.bytes("streams/" + id + "/snapshot?mode=keyframe");
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(480);
    }

    @Test
    public void b04_recordingOfAGbStreamIsValidMp4() throws Exception {
        String id = "gb28181/" + CAM + "/" + channel(CAM, 2);
        Reply start = api.post("streams/" + id + "/record/start", "{\"strategy\":\"time\",\"value\":2}");
        assertThat(start.status()).as(start.body()).isIn(200, 201, 202);
        Reply list = await("two closed segments of " + id, () -> api.get("streams/" + id + "/recordings"),
                r -> r.status() == 200 && r.json().path("count").asInt() >= 2);
        JsonNode segment = list.json().path("segments").get(0);
        assertThat(segment.path("keyframes").asInt()).isPositive();
        Path file = api.download(segment.path("url").asText(), work.resolve("downloads/gb-segment.mp4"));
        assertThat(Ffmpeg.problems(file)).isEmpty();
        Ffmpeg.Result probe = Ffmpeg.run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                "stream=codec_name,width,height", "-of", "csv=p=0", file.toString());
        assertThat(probe.output()).isEqualTo("h264,640,480");
        api.post("streams/" + id + "/record/stop", "");
    }

    @Test
    public void c01_byeFromTheApiByChannelAndByCallId() {
        Reply byChannel = api.post("gb28181/bye", "{\"device_id\":\"" + CAM + "\",\"channel_id\":\""
                + channel(CAM, 0) + "\"}");
        assertThat(byChannel.status()).as(byChannel.body()).isEqualTo(200);
        assertThat(byChannel.json().path("state").asText()).isEqualTo("ended");
        assertThat(byChannel.json().path("end_reason").asText()).isEqualTo("bye_api");
        String callId = session(channel(CAM, 1)).path("call_id").asText();
        Reply byCall = api.post("gb28181/bye", "{\"call_id\":\"" + callId + "\"}");
        assertThat(byCall.status()).as(byCall.body()).isEqualTo(200);
        assertThat(byCall.json().path("end_reason").asText()).isEqualTo("bye_api");
        // The device got the BYEs: its media stopped.
        SimDevice cam = udpSim.device(CAM);
        Await.until("the device ended both sessions", WAIT, () -> cam.sessions().stream()
                .noneMatch(s -> s.channelId().equals(channel(CAM, 0)) || s.channelId().equals(channel(CAM, 1))));
        await("stream ended", () -> api.get("streams/gb28181/" + CAM + "/" + channel(CAM, 0)),
                s -> s.status() == 404 || "ended".equals(s.json().path("state").asText()));
    }

    @Test
    public void c02_byeFromTheDevice() throws Exception {
        udpSim.device(CAM).hangup(channel(CAM, 2)).get();
        JsonNode ended = awaitSession(channel(CAM, 2), s -> "ended".equals(s.path("state").asText()));
        assertThat(ended.path("end_reason").asText()).isEqualTo("bye_device");
    }

    @Test
    public void d01_noRtpAtAllEndsTheSessionSayingSo() {
        Reply r = invite(NO_MEDIA, channel(NO_MEDIA, 0), "udp");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode ended = awaitSession(channel(NO_MEDIA, 0), s -> "ended".equals(s.path("state").asText()));
        assertThat(ended.path("end_reason").asText()).isEqualTo("no_rtp");
        assertThat(ended.path("end_detail").asText()).contains("no packets at all", "udp port");
    }

    @Test
    public void d02_wrongSsrcEndsTheSessionNamingWhatArrived() {
        Reply r = invite(WRONG_SSRC, channel(WRONG_SSRC, 0), "udp");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode ended = awaitSession(channel(WRONG_SSRC, 0), s -> "ended".equals(s.path("state").asText()));
        assertThat(ended.path("end_reason").asText()).isEqualTo("wrong_ssrc");
        assertThat(ended.path("end_detail").asText()).contains("expected SSRC", "from 127.0.0.1:");
        assertThat(ended.path("wrong_ssrc_packets").asLong()).isPositive();
    }

    @Test
    public void d03_tcpNeverConnectedEndsTheSessionSayingSo() {
        Reply r = invite(TCP_NEVER, channel(TCP_NEVER, 0), "tcp_passive");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode ended = awaitSession(channel(TCP_NEVER, 0), s -> "ended".equals(s.path("state").asText()));
        assertThat(ended.path("end_reason").asText()).isEqualTo("tcp_not_connected");
    }

    @Test
    public void e01_keepaliveLossTakesADeviceOfflineAndAKeepaliveBringsItBack() {
        SimDevice d = udpSim.device(WRONG_SSRC);
        d.pauseKeepalives(true);
        JsonNode offline = await("device offline", () -> api.get("gb28181/devices/" + WRONG_SSRC),
                r -> r.status() == 200 && !r.json().path("online").asBoolean()).json();
        assertThat(offline.path("offline_reason").asText()).isEqualTo("keepalive_timeout");
        ServerApi.assertError(invite(WRONG_SSRC, channel(WRONG_SSRC, 0), "udp"), 409, WRONG_SSRC);
        ServerApi.assertError(api.post("gb28181/device-status", "{\"device_id\":\"" + WRONG_SSRC + "\"}"), 409, "offline");
        d.pauseKeepalives(false);
        await("device online again", () -> api.get("gb28181/devices/" + WRONG_SSRC),
                r -> r.status() == 200 && r.json().path("online").asBoolean());
    }

    @Test
    public void e02_aRestartedDeviceRegistersAgain() throws InterruptedException {
        SimDevice cam = udpSim.device(CAM);
        String before = device(CAM).path("registered_at").asText();
        String callIdBefore = cam.registerCallId();
        cam.restart();
        assertThat(cam.awaitRegistered(WAIT)).isTrue();
        assertThat(cam.registerCallId()).isNotEqualTo(callIdBefore);
        await("a new registration", () -> api.get("gb28181/devices/" + CAM),
                r -> r.json().path("online").asBoolean() && !before.equals(r.json().path("registered_at").asText()));
        Reply again = invite(CAM, channel(CAM, 0), "udp");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().path("existing").asBoolean()).isFalse();
        await("live after the device restart", () -> api.get("streams/gb28181/" + CAM + "/" + channel(CAM, 0)),
                s -> s.status() == 200 && "live".equals(s.json().path("state").asText()));
    }

    @Test
    public void e03_garbageOnTheSipAndMediaPortsHurtsNobody() throws Exception {
        int mediaPort = session(channel(CAM, 0)).path("media_port").asInt();
        double invalidBefore = api.metric("rtp_invalid_packets_total", "transport=\"udp\"");
        double doctypeBefore = api.metric("gb28181_messages_rejected_total", "problem=\"doctype\"");
        Random random = new Random(28181);
        try (DatagramSocket s = new DatagramSocket()) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            List<byte[]> junk = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                byte[] b = new byte[1 + random.nextInt(1400)];
                random.nextBytes(b);
                junk.add(b);
            }
            junk.add("REGISTER sip:x SIP/2.0\r\nVia: broken\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // An entity-expansion body with a correct Content-Length, so that it reaches the MANSCDP parser.
            String bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
                    + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><Notify>&b;</Notify>";
            junk.add(("MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n"
                    + "From: <sip:" + CAM + "@3402000000>;tag=1\r\nTo: <sip:34020000002000000001@3402000000>\r\n"
                    + "Call-ID: bomb\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Type: Application/MANSCDP+xml\r\n"
                    + "Content-Length: " + bomb.length() + "\r\n\r\n" + bomb).getBytes(StandardCharsets.US_ASCII));
            for (byte[] b : junk) {
                s.send(new DatagramPacket(b, b.length, lo, sipPort));
                s.send(new DatagramPacket(b, b.length, lo, mediaPort));
            }
        }
        // Everything else carries on: the stream on that port keeps going, devices stay online, queries work.
        String id = "gb28181/" + CAM + "/" + channel(CAM, 0);
        long samples = api.get("streams/" + id).json().path("samples").asLong();
        await("the stream on the garbage port keeps flowing", () -> api.get("streams/" + id),
                r -> r.json().path("samples").asLong() > samples + 25);
        assertThat(api.post("gb28181/device-info", "{\"device_id\":\"" + TCP_CAM + "\"}").status()).isEqualTo(200);
        assertThat(device(CAM).path("online").asBoolean()).isTrue();
        // ... and the garbage was seen for what it is (receivers report their counts once per tick).
        Await.until("the junk counted as invalid RTP", WAIT,
                () -> api.metric("rtp_invalid_packets_total", "transport=\"udp\"") >= invalidBefore + 25);
        Await.until("the DOCTYPE body refused", WAIT,
                () -> api.metric("gb28181_messages_rejected_total", "problem=\"doctype\"") >= doctypeBefore + 1);
    }

    @Test
    public void f01_devicesAndChannelsSurviveAServerRestart() throws Exception {
        udpSim.close();
        tcpSim.close();
        udpSim = null;
        tcpSim = null;
        assertThat(server.stop()).as("exit status after SIGTERM").isIn(0, 143);
        server.start();
        JsonNode cam = device(CAM);
        assertThat(cam.path("online").asBoolean()).isFalse();
        assertThat(cam.path("offline_reason").asText()).isEqualTo("restarted");
        assertThat(cam.path("manufacturer").asText()).isEqualTo("FluxSim");
        Reply channels = api.get("gb28181/devices/" + CAM + "/channels");
        assertThat(channels.json().size()).isEqualTo(3);
        assertThat(device(TCP_CAM).path("transport").asText()).isEqualTo("TCP");
        udpSim = simulator(SimTransport.UDP);
        SimDevice again = udpSim.addDevice(CAM, PASSWORD, 3);
        again.register();
        assertThat(again.awaitRegistered(WAIT)).isTrue();
        await("online after re-registering", () -> api.get("gb28181/devices/" + CAM),
                r -> r.json().path("online").asBoolean());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<SimDevice> devices() {
        List<SimDevice> all = new ArrayList<>(udpSim.devices());
        all.addAll(tcpSim.devices());
        return all;
    }

    private static String channel(String deviceId, int index) {
        GbSimulator sim = deviceId.equals(TCP_CAM) ? tcpSim : udpSim;
        return sim.device(deviceId).channelIds().get(index);
    }

    private static JsonNode device(String id) {
        Reply r = api.get("gb28181/devices/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static Reply invite(String device, String channel, String transport) {
        return api.post("gb28181/invite", "{\"device_id\":\"" + device + "\",\"channel_id\":\"" + channel
                + "\",\"transport\":\"" + transport + "\"}");
    }

    /** The newest session of a channel (live ones come first, then ended ones newest first). */
    private static JsonNode session(String channel) {
        Reply r = api.get("gb28181/sessions");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode s : r.json()) {
            if (channel.equals(s.path("channel_id").asText())) {
                return s;
            }
        }
        throw new AssertionError("no session of channel " + channel + " in " + r.body());
    }

    private static JsonNode awaitSession(String channel, Predicate<JsonNode> ok) {
        return Await.value("session of " + channel, WAIT, () -> {
            try {
                return session(channel);
            } catch (AssertionError e) {
                return null;
            }
        }, s -> s != null && ok.test(s));
    }

    private static Reply await(String what, java.util.function.Supplier<Reply> call, Predicate<Reply> ok) {
        return Await.value(what, WAIT, call, ok);
    }

    private static int freePort() throws IOException {
        // SIP listens on UDP and TCP: the port must be free for both.
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
