package io.flux.media.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.flux.media.api.ingest.MediaSink.StreamHandle;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.VideoFormat;
import io.flux.media.codec.AccessUnit;
import io.flux.media.codec.AnnexBReader;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.Ffmpeg;

/**
 * Real encoder output through the core: ffmpeg-made H.264 and H.265 streams whose keyframes (after the first)
 * lost their parameter sets come out with them again, so the stream decodes from any keyframe on.
 */
class FfmpegMediaTest {

    private static final Path DIR = Path.of("target", "test-media");

    private final TestClock clock = new TestClock(1_700_000_000_000L);
    private final MediaCore core = new MediaCore(Configs.defaults(MediaCore.Config.class), clock, false);

    @BeforeAll
    static void ffmpeg() throws IOException {
        assumeTrue(Ffmpeg.available(), "ffmpeg/ffprobe not installed");
        Files.createDirectories(DIR);
    }

    @AfterEach
    void tearDown() {
        core.deactivate();
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"H264", "H265"})
    void keyframesDecodeOnTheirOwn(Codec codec) throws Exception {
        boolean hevc = codec == Codec.H265;
        Path source = generate(hevc);
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(source));
        Recorder rec = new Recorder();
        core.subscribe("rec", id -> true, 100, rec);
        StreamId id = StreamId.of("replay", hevc ? "h265" : "h264");
        StreamHandle h = core.open(id, "replay");

        AnnexBReader reader = new AnnexBReader(file, hevc);
        int pushed = 0;
        int keyframes = 0;
        for (AccessUnit au = reader.next(); au != null; au = reader.next()) {
            List<ByteBuffer> nals = new ArrayList<>();
            for (ByteBuffer nal : au.nals()) {
                boolean paramSet = hevc ? H265.isParameterSet(nal) : H264.isParameterSet(nal);
                // Only the very first access unit keeps its parameter sets.
                if (!paramSet || pushed == 0) {
                    nals.add(nal);
                }
            }
            long pts = pushed * Samples.FRAME;
            h.push(new VideoSample(codec, pts, pts, au.keyframe(), NalUnits.toAnnexB(nals)));
            keyframes += au.keyframe() ? 1 : 0;
            pushed++;
            clock.advance(40);
        }
        int total = pushed;
        Await.until("every sample", () -> rec.sampleCount() == total);
        assertThat(keyframes).isEqualTo(3);

        StreamInfo info = core.stream(id).orElseThrow();
        VideoFormat format = info.video();
        Map<String, String> probe = Ffmpeg.probe(source, "v");
        assertThat(format.width()).isEqualTo(320);
        assertThat(format.height()).isEqualTo(240);
        assertThat(format.profile()).isEqualTo(probe.get("profile"));
        assertThat(format.parameterSets()).hasSize(hevc ? 3 : 2);
        assertThat(info.frameRate()).isBetween(24.0, 26.0);

        // From the second keyframe on: its parameter sets came from the cache.
        List<VideoSample> samples = rec.samples().stream().map(e -> (VideoSample) e.sample()).toList();
        int second = -1;
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).keyframe()) {
                second = i;
                break;
            }
        }
        assertThat(second).isEqualTo(25);
        Path tail = DIR.resolve("tail-" + codec.name().toLowerCase() + (hevc ? ".h265" : ".h264"));
        try (OutputStream out = Files.newOutputStream(tail)) {
            for (VideoSample s : samples.subList(second, samples.size())) {
                ByteBuffer p = s.payload().duplicate();
                byte[] b = new byte[p.remaining()];
                p.get(b);
                out.write(b);
            }
        }
        String errors = Ffmpeg.run(List.of("ffmpeg", "-v", "error", "-nostdin", "-i", tail.toString(), "-f", "null",
                "-"));
        assertThat(errors).isEmpty();
        String frames = Ffmpeg.run(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", tail.toString()));
        assertThat(frames.trim()).isEqualTo("320,240," + (total - second));
    }

    private static Path generate(boolean hevc) throws IOException {
        Path out = DIR.resolve(hevc ? "gop25.h265" : "gop25.h264");
        if (Files.isRegularFile(out) && Files.size(out) > 0) {
            return out;
        }
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
                "-pix_fmt", "yuv420p"));
        if (hevc) {
            args.addAll(List.of("-c:v", "libx265", "-preset", "veryfast", "-x265-params",
                    "keyint=25:min-keyint=25:scenecut=0:open-gop=0:log-level=error", "-f", "hevc"));
        } else {
            args.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-keyint_min", "25",
                    "-sc_threshold", "0", "-f", "h264"));
        }
        // Written aside and moved, so an interrupted run leaves no half file for the next one to reuse.
        Path tmp = Ffmpeg.generate(DIR.resolve(out.getFileName() + ".tmp"), args.toArray(String[]::new));
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }
}
