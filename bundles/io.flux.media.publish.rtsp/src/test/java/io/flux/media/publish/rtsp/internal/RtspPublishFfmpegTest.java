package io.flux.media.publish.rtsp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamState;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;
import io.flux.media.testing.FakeStreamRegistry;
import io.flux.media.testing.Ffmpeg;

/**
 * Publishes real encoder output to a real RTSP server that accepts RECORD ({@code ffmpeg -rtsp_flags listen}),
 * which writes what it receives to MP4; ffprobe reads that back.
 */
class RtspPublishFfmpegTest {

    private static final StreamId ID = StreamId.of("gb28181/34020000001320000001/34020000001310000001");

    @TempDir
    Path dir;

    private final FakeStreamRegistry registry = new FakeStreamRegistry();
    private final FakeMetricsRegistry metrics = new FakeMetricsRegistry();
    private RtspPublishService service;
    private Process listener;

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.deactivate();
        }
        if (listener != null) {
            listener.destroyForcibly();
        }
    }

    @Test
    void publishesH264ThatFfmpegRecordsAndFfprobeReadsBack() throws Exception {
        publishAndProbe(Codec.H264, "h264");
    }

    @Test
    void publishesH265ThatFfmpegRecordsAndFfprobeReadsBack() throws Exception {
        publishAndProbe(Codec.H265, "hevc");
    }

    private void publishAndProbe(Codec codec, String probedCodec) throws Exception {
        assumeTrue(Ffmpeg.available(), "ffmpeg/ffprobe not installed");
        List<VideoSample> samples = Media.encode(dir, codec, 2);
        assertThat(samples).hasSize(50);
        int port = freePort();
        Path out = dir.resolve("out.mp4");
        String path = PathNames.of(ID);
        listener = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "warning", "-nostdin", "-y",
                "-rtsp_flags", "listen", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:" + port + "/" + path,
                "-c", "copy", "-f", "mp4", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("listener.log").toFile()).start();
        Await.until("ffmpeg listening on " + port, Duration.ofSeconds(20), () -> listening(port));

        FakeStreamingServer server = new FakeStreamingServer(port);
        service = new RtspPublishService(registry, Configs.of(RtspPublishService.Config.class, Map.of()), 1400);
        service.bindMetrics(metrics);
        service.bindStreamingServer(server);
        service.activate();
        assertThat(registry.listener).isSameAs(service);

        StreamInfo info = new StreamInfo(ID, "gb28181", StreamState.LIVE, null, null, 25, 0, Instant.now(),
                Instant.now(), Instant.now(), 0, 0);
        registry.infos.put(ID, info);
        registry.listener.onStreamStart(info);
        for (VideoSample s : samples) {
            registry.listener.onSample(ID, s);
        }
        Await.until("publishing", Duration.ofSeconds(20),
                () -> service.publisher(ID).map(p -> p.state() == Publisher.State.PUBLISHING).orElse(false));
        assertThat(server.calls).containsExactly("add " + path + " publisher");
        assertThat(metrics.value(PublishMetrics.SESSIONS_ACTIVE)).isEqualTo(1);

        PreviewResource.Preview preview = new PreviewResource(registry, service).preview(ID.value());
        assertThat(preview.published()).isTrue();
        assertThat(preview.path()).isEqualTo(path);
        assertThat(preview.rtsp()).isEqualTo("rtsp://127.0.0.1:" + port + "/" + path);
        assertThat(preview.hls()).isEqualTo("http://127.0.0.1:8888/" + path + "/index.m3u8");

        registry.listener.onStreamEnd(ID);
        Await.until("path removed", Duration.ofSeconds(20), () -> server.calls.contains("delete " + path));
        assertThat(listener.waitFor(30, TimeUnit.SECONDS)).as("ffmpeg finished").isTrue();
        assertThat(listener.exitValue()).as(Files.readString(dir.resolve("listener.log"))).isZero();
        assertThat(server.paths).isEmpty();
        assertThat(metrics.value(PublishMetrics.SESSIONS_ACTIVE)).isZero();
        assertThat(metrics.value(PublishMetrics.BYTES))
                .isGreaterThan(samples.stream().mapToInt(s -> s.payload().remaining()).sum() * 0.9);

        Map<String, String> video = Ffmpeg.probe(out, "v");
        assertThat(video).containsEntry("codec_name", probedCodec).containsEntry("width", "320")
                .containsEntry("height", "240");
        List<Double> pts = Ffmpeg.packetPtsTimes(out, "v");
        assertThat(pts).hasSize(samples.size());
        // ffmpeg's RTP demuxer gives the very first packet no timestamp (it only sets its base), so the muxer
        // invents one: the sample PTS spacing shows from the second packet on.
        for (int i = 2; i < pts.size(); i++) {
            assertThat(pts.get(i) - pts.get(i - 1)).as("frame %d", i).isCloseTo(0.04,
                    org.assertj.core.data.Offset.offset(0.0015));
        }
        assertThat(Ffmpeg.packetKeyframes(out, "v")).element(0).isEqualTo(true);
        assertThat(Ffmpeg.packetKeyframes(out, "v")).element(25).isEqualTo(true);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Reads the kernel's socket table: connecting to probe would use up ffmpeg's single accept. */
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
}
