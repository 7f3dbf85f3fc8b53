package io.flux.media.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.flux.media.itests.Await;
import io.flux.media.itests.e2e.ServerApi.Reply;
import io.flux.media.testing.gb28181.GbSimulator;
import io.flux.media.testing.gb28181.PsMediaFile;
import io.flux.media.testing.gb28181.SimDevice;
import io.flux.media.testing.gb28181.SimTransport;
import io.flux.media.testing.mediamtx.MediaMtxStandIn;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A GB28181 camera becomes a MediaMTX path: the simulator streams MPEG-PS over RTP, the server demuxes it, adds
 * the path {@code gb28181/{device}/{channel}} on MediaMTX (the stand-in) and publishes the H.264 over RTSP
 * (ANNOUNCE/RECORD) to the configured RTSP address, where a real RTSP server that accepts RECORD ({@code ffmpeg
 * -rtsp_flags listen}) writes it to MP4 for ffprobe. The path goes when the session ends.
 */
public class GbToMediaMtxE2EIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String PASSWORD = "e2e-device-secret";
    private static final String DEVICE = "34020000001320000042";

    private static Path work;
    private static ServerProcess server;
    private static ServerApi api;
    private static MediaMtxStandIn mediamtx;
    private static GbSimulator sim;
    private static Process listener;
    private static int rtspPort;

    @BeforeClass
    public static void start() throws Exception {
        work = Path.of(System.getProperty("flux.itest.work", "target/itest-work")).resolve("e2e-gb-mediamtx");
        ServerProcess.deleteTree(work);
        Files.createDirectories(work);
        mediamtx = MediaMtxStandIn.start();
        int sipPort = udpAndTcpPort();
        rtspPort = udpAndTcpPort();
        int mediaBase = 42000 + new java.util.Random().nextInt(100) * 50;
        server = new ServerProcess(work, Map.of(
                "io.flux.media.protocol.gb28181.cfg", String.join("\n", "bind.address=127.0.0.1",
                        "bind.port=" + sipPort, ".password=" + PASSWORD, "media.bind.address=127.0.0.1",
                        "media.port.min=" + mediaBase, "media.port.max=" + (mediaBase + 49), ""),
                "io.flux.media.mediamtx.cfg", String.join("\n", "api.address=" + mediamtx.apiUrl(),
                        "playback.address=" + mediamtx.playbackUrl(), "rtsp.address=rtsp://127.0.0.1:" + rtspPort,
                        ""),
                "io.flux.media.publish.rtsp.cfg", "reconnect.max.backoff.s=1\n")).start();
        api = new ServerApi(server);
        Await.value("gb28181 and mediamtx features installed", WAIT, () -> api.get("/api/v1/health"),
                r -> r.body().contains("SIP server answers") && r.body().contains("MediaMTX v1.20.1 answers"));
        PsMediaFile media = PsMediaFile.load(PsMediaFile.generate(work.resolve("sim-media"), 1000));
        sim = GbSimulator.builder().server("127.0.0.1", sipPort).transport(SimTransport.UDP).localAddress("127.0.0.1")
                .media(media).build();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (listener != null) {
            listener.destroyForcibly();
        }
        if (sim != null) {
            sim.close();
        }
        if (server != null) {
            server.close();
        }
        if (mediamtx != null) {
            mediamtx.close();
        }
    }

    @Test
    public void aGb28181StreamIsPublishedToMediaMtxOverRtspAndRemovedWithTheSession() throws Exception {
        SimDevice camera = sim.addDevice(DEVICE, PASSWORD, 1);
        camera.register();
        assertThat(camera.awaitRegistered(WAIT)).isTrue();
        String channel = camera.channelIds().get(0);
        String path = "gb28181/" + DEVICE + "/" + channel;

        // The receiving RTSP server first, then the session: the publisher connects once the stream is live.
        Path out = work.resolve("published.mp4");
        listener = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "warning", "-nostdin", "-y",
                "-rtsp_flags", "listen", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:" + rtspPort + "/" + path,
                "-t", "4", "-c", "copy", "-f", "mp4", out.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("listener.log").toFile()).start();
        Await.until("ffmpeg listening on " + rtspPort, WAIT, () -> listening(rtspPort));

        Reply invite = api.post("gb28181/invite", "{\"device_id\":\"" + DEVICE + "\",\"channel_id\":\"" + channel
                + "\",\"transport\":\"udp\"}");
        assertThat(invite.status()).as(invite.body()).isEqualTo(200);
        String streamId = invite.json().path("stream_id").asText();

        Await.until("MediaMTX path " + path + " added as a publisher path", WAIT,
                () -> mediamtx.pathConfigs().containsKey(path));
        assertThat(mediamtx.pathConfig(path).get("source")).isEqualTo("publisher");
        Reply preview = Await.value("preview published", WAIT, () -> api.get("streams/" + streamId + "/preview"),
                r -> r.status() == 200 && r.json().path("published").asBoolean());
        assertThat(preview.json().path("rtsp").asText()).isEqualTo("rtsp://127.0.0.1:" + rtspPort + "/" + path);
        assertThat(preview.json().path("hls").asText()).endsWith("/" + path + "/index.m3u8");

        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).as("ffmpeg recorded 4 s and stopped").isTrue();
        assertThat(listener.exitValue()).as(Files.readString(work.resolve("listener.log"))).isZero();
        Ffmpeg.Result probe = Ffmpeg.run("ffprobe", "-v", "error", "-select_streams", "v", "-count_frames",
                "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", out.toString());
        assertThat(probe.exit()).as(probe.output()).isZero();
        String[] f = probe.output().strip().split(",");
        assertThat(f[0]).isEqualTo("h264");
        assertThat(f[1]).isEqualTo("640");
        assertThat(f[2]).isEqualTo("480");
        assertThat(Integer.parseInt(f[3])).as("frames in 4 s at 25 fps").isGreaterThanOrEqualTo(75);

        Reply bye = api.post("gb28181/bye", "{\"device_id\":\"" + DEVICE + "\",\"channel_id\":\"" + channel + "\"}");
        assertThat(bye.status()).as(bye.body()).isEqualTo(200);
        Await.until("MediaMTX path removed with the session", WAIT, () -> !mediamtx.pathConfigs().containsKey(path));
    }

    /** Whether something listens on the TCP port, without connecting (ffmpeg's listener takes one connection). */
    private static boolean listening(int port) {
        String hex = String.format(Locale.ROOT, ":%04X ", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (f[1] + " ").endsWith(hex) && f[3].equals("0A")) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // no such table
            }
        }
        return false;
    }

    private static int udpAndTcpPort() throws IOException {
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
