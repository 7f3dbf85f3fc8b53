package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.flux.media.testing.Ffmpeg;

/** Checks the parsers against libx264/libx265 output and what ffprobe says about it. */
class FfmpegStreamsTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void needFfmpeg() {
        assumeTrue(Ffmpeg.available(), "ffmpeg/ffprobe not installed");
    }

    record Case(String name, boolean hevc, int width, int height, String pixFmt, List<String> options) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("h264 high", false, 320, 240, "yuv420p", List.of()),
                new Case("h264 constrained baseline", false, 176, 144, "yuv420p", List.of("-profile:v", "baseline")),
                new Case("h264 main cropped", false, 322, 242, "yuv420p", List.of("-profile:v", "main")),
                new Case("h264 high 10", false, 320, 240, "yuv420p10le", List.of()),
                new Case("h264 high 4:2:2", false, 320, 240, "yuv422p", List.of()),
                new Case("h264 high 4:4:4 cropped", false, 321, 241, "yuv444p", List.of()),
                new Case("h264 interlaced cropped", false, 320, 232, "yuv420p",
                        List.of("-x264-params", "interlaced=1")),
                new Case("h264 scaling matrices", false, 320, 240, "yuv420p", List.of("-x264-params", "cqm=jvt")),
                new Case("h264 1080p", false, 1920, 1080, "yuv420p", List.of()),
                new Case("h265 main", true, 320, 240, "yuv420p", List.of()),
                new Case("h265 main cropped", true, 322, 242, "yuv420p", List.of()),
                new Case("h265 main 10", true, 320, 240, "yuv420p10le", List.of()),
                new Case("h265 rext 4:4:4", true, 320, 240, "yuv444p", List.of()),
                new Case("h265 rext 4:2:2 10", true, 320, 240, "yuv422p10le", List.of()),
                new Case("h265 scaling lists", true, 320, 240, "yuv420p",
                        List.of("-x265-params", "scaling-list=default:log-level=error")),
                new Case("h265 1080p", true, 1920, 1080, "yuv420p", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void spsMatchesFfprobe(Case c) throws Exception {
        Path file = encode(c, 6);
        Map<String, String> probe = Ffmpeg.probe(file, "v");
        ByteBuffer stream = ByteBuffer.wrap(Files.readAllBytes(file));
        AccessUnit first = new AnnexBReader(stream, c.hevc()).next();
        assertThat(first).isNotNull();
        assertThat(first.keyframe()).isTrue();
        ByteBuffer sps = first.nals().stream()
                .filter(n -> c.hevc() ? H265.nalType(n) == H265.NAL_SPS : H264.nalType(n) == H264.NAL_SPS)
                .findFirst().orElseThrow();

        SpsInfo info = c.hevc() ? H265.parseSps(sps) : H264.parseSps(sps);

        assertThat(info.width()).isEqualTo(c.width()).isEqualTo(Integer.parseInt(probe.get("width")));
        assertThat(info.height()).isEqualTo(c.height()).isEqualTo(Integer.parseInt(probe.get("height")));
        assertThat(info.profile()).isEqualTo(probe.get("profile"));
        assertThat(info.level()).isEqualTo(Integer.parseInt(probe.get("level")));
        assertThat(info.chromaFormat()).isEqualTo(c.pixFmt().startsWith("yuv444") ? 3
                : c.pixFmt().startsWith("yuv422") ? 2 : 1);
        assertThat(info.bitDepth()).isEqualTo(c.pixFmt().endsWith("10le") ? 10 : 8);
        assertThat(info.frameRate()).isEqualTo(25.0);
        assertThat(c.hevc() ? H265.parameterSetId(sps) : H264.parameterSetId(sps)).isZero();
    }

    @Test
    void h264AccessUnitsAndKeyframesMatchFfprobe() throws Exception {
        Path file = encode(new Case("gop", false, 320, 240, "yuv420p", List.of("-g", "10", "-bf", "3")), 47);
        assertAccessUnitsMatch(file, false, 47);
    }

    @Test
    void h264WithAccessUnitDelimitersAndSlices() throws Exception {
        Path file = encode(new Case("aud", false, 320, 240, "yuv420p",
                List.of("-g", "12", "-x264-params", "aud=1:slices=4")), 30);
        assertAccessUnitsMatch(file, false, 30);
    }

    @Test
    void h265AccessUnitsAndKeyframesMatchFfprobe() throws Exception {
        Path file = encode(new Case("gop265", true, 320, 240, "yuv420p",
                List.of("-x265-params", "keyint=10:min-keyint=10:scenecut=0:open-gop=1:log-level=error")), 41);
        assertAccessUnitsMatch(file, true, 41);
    }

    @Test
    void h265WithSlicesAndAud() throws Exception {
        Path file = encode(new Case("slices265", true, 320, 240, "yuv420p",
                List.of("-x265-params", "keyint=8:slices=3:aud=1:log-level=error")), 20);
        assertAccessUnitsMatch(file, true, 20);
    }

    @Test
    void adtsFramesMatchFfprobe() throws Exception {
        Path file = dir.resolve("tone.aac");
        Ffmpeg.generate(file, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1", "-ac", "2",
                "-c:a", "aac", "-f", "adts");
        Map<String, String> probe = Ffmpeg.probe(file, "a");
        List<ByteBuffer> frames = Adts.split(ByteBuffer.wrap(Files.readAllBytes(file)));
        assertThat(frames).hasSize(Ffmpeg.packetKeyframes(file, "a").size());
        AdtsHeader h = Adts.parse(frames.get(0));
        assertThat(h.sampleRate()).isEqualTo(Integer.parseInt(probe.get("sample_rate")));
        assertThat(h.channels()).isEqualTo(Integer.parseInt(probe.get("channels")));
        assertThat(h.objectType()).isEqualTo(2);
        assertThat(h.audioSpecificConfig()).isEqualTo(Bits.of(0x12, 0x10));
    }

    private static void assertAccessUnitsMatch(Path file, boolean hevc, int frames) throws IOException {
        List<Boolean> expected = Ffmpeg.packetKeyframes(file, "v");
        assertThat(expected).hasSize(frames);
        AnnexBReader reader = new AnnexBReader(ByteBuffer.wrap(Files.readAllBytes(file)), hevc);
        List<Boolean> actual = new ArrayList<>();
        for (AccessUnit au = reader.next(); au != null; au = reader.next()) {
            actual.add(au.keyframe());
            assertThat(au.keyframe()).isEqualTo(hevc ? H265.isKeyframe(au.nals()) : H264.isKeyframe(au.nals()));
            assertThat(NalUnits.splitAnnexB(au.data())).hasSameSizeAs(au.nals());
        }
        assertThat(actual).isEqualTo(expected);
    }

    private static Path encode(Case c, int frames) throws IOException {
        Path out = dir.resolve(c.name().replace(' ', '_').replace(':', '_') + (c.hevc() ? ".h265" : ".h264"));
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                "testsrc=size=" + c.width() + "x" + c.height() + ":rate=25", "-frames:v", String.valueOf(frames),
                "-pix_fmt", c.pixFmt(), "-c:v", c.hevc() ? "libx265" : "libx264", "-preset", "veryfast"));
        if (c.hevc() && c.options().stream().noneMatch(o -> o.equals("-x265-params"))) {
            args.addAll(List.of("-x265-params", "log-level=error"));
        }
        args.addAll(c.options());
        args.addAll(List.of("-f", c.hevc() ? "hevc" : "h264"));
        return Ffmpeg.generate(out, args.toArray(String[]::new));
    }
}
