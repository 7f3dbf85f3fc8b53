package io.flux.media.protocol.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.sample.Codec;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.DecoderConfig;
import io.flux.media.codec.H264;
import io.flux.media.codec.NalUnits;
import io.flux.media.testing.Ffmpeg;

/** MP4 and Annex B loading checked against ffprobe, and the prepared samples checked by ffmpeg decoding them. */
class MediaLoaderFfmpegTest {

    @TempDir
    static Path dir;

    static Path h264Aac;
    static Path h265;

    @BeforeAll
    static void media() throws IOException {
        assumeTrue(Ffmpeg.available(), "ffmpeg/ffprobe not installed");
        h264Aac = Ffmpeg.generate(dir.resolve("h264-aac.mp4"), "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4", "-map", "0:v", "-map", "1:a",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-bf", "3", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-ac", "2");
        h265 = Ffmpeg.generate(dir.resolve("h265.mp4"), "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t",
                "3", "-c:v", "libx265", "-preset", "veryfast", "-x265-params", "keyint=20:log-level=error",
                "-tag:v", "hvc1", "-pix_fmt", "yuv420p");
    }

    @Test
    void h264AacSampleTablesMatchFfprobe() throws Exception {
        MediaFile m = MediaLoader.load(h264Aac, 0);
        assertThat(m.videoCodec()).isEqualTo(Codec.H264);
        assertThat(m.audioCodec()).isEqualTo(Codec.AAC);
        assertThat(m.sampleRate()).isEqualTo(48000);
        assertThat(m.channels()).isEqualTo(2);
        assertThat(m.width()).isEqualTo(320);
        assertThat(m.height()).isEqualTo(240);
        assertThat(m.profile()).isEqualTo("High");
        assertThat(m.frameRate()).isCloseTo(25.0, within(0.01));
        assertThat(m.period()).isEqualTo(4 * 90_000L);

        List<Boolean> keys = Ffmpeg.packetKeyframes(h264Aac, "v");
        assertThat(videoKeys(m)).isEqualTo(keys);
        assertTimelineMatches(m, h264Aac);
        assertDeliveryOrder(m);
    }

    @Test
    void h265SampleTablesMatchFfprobe() throws Exception {
        MediaFile m = MediaLoader.load(h265, 0);
        assertThat(m.videoCodec()).isEqualTo(Codec.H265);
        assertThat(m.audioCodec()).isNull();
        assertThat(m.profile()).isEqualTo("Main");
        assertThat(videoKeys(m)).isEqualTo(Ffmpeg.packetKeyframes(h265, "v"));
        assertTimelineMatches(m, h265);
        assertDeliveryOrder(m);
    }

    @Test
    void preparedVideoDecodesCompletely() throws Exception {
        for (Path file : List.of(h264Aac, h265)) {
            MediaFile m = MediaLoader.load(file, 0);
            Path es = dir.resolve(file.getFileName() + (m.videoCodec() == Codec.H264 ? ".h264" : ".h265"));
            Path adts = dir.resolve(file.getFileName() + ".aac");
            write(m, es, false);
            String log = Ffmpeg.run(List.of("ffmpeg", "-v", "error", "-i", es.toString(), "-f", "null", "-"));
            assertThat(log).isEmpty();
            assertThat(Ffmpeg.packetKeyframes(es, "v")).hasSize(m.size() - m.count(MediaFile.AUDIO));
            if (m.audioCodec() != null) {
                write(m, adts, true);
                assertThat(Ffmpeg.run(List.of("ffmpeg", "-v", "error", "-i", adts.toString(), "-f", "null", "-")))
                        .isEmpty();
                assertThat(Ffmpeg.packetKeyframes(adts, "a")).hasSize(m.count(MediaFile.AUDIO));
                assertThat(Ffmpeg.probe(adts, "a").get("sample_rate")).isEqualTo("48000");
            }
        }
    }

    @Test
    void keyframesCarryTheParameterSetsOfTheConfigurationRecord() throws Exception {
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(h264Aac));
        Mp4Demuxer.Track video = Mp4Demuxer.parse(file).tracks().stream().filter(t -> t.handler().equals("vide"))
                .findFirst().orElseThrow();
        DecoderConfig config = DecoderConfig.parseAvcC(video.config());
        // The codec library writes avcC exactly as ffmpeg does.
        assertThat(DecoderConfig.avcC(config.parameterSets())).isEqualTo(video.config());
        MediaFile m = MediaLoader.load(h264Aac, 0);
        for (int i = 0; i < m.size(); i++) {
            if (m.kind(i) == MediaFile.KEYFRAME) {
                List<ByteBuffer> nals = NalUnits.splitAnnexB(m.sample(i, 0).payload());
                assertThat(nals.subList(0, 2)).isEqualTo(config.parameterSets());
                assertThat(H264.isKeyframe(nals)).isTrue();
            }
        }
    }

    @Test
    void hvcCFromTheCodecLibraryAgreesWithFfmpegs() throws Exception {
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(h265));
        Mp4Demuxer.Track video = Mp4Demuxer.parse(file).tracks().get(0);
        DecoderConfig config = DecoderConfig.parseHvcC(video.config());
        assertThat(config.lengthSize()).isEqualTo(4);
        assertThat(config.parameterSets()).hasSize(3);
        ByteBuffer ours = DecoderConfig.hvcC(config.parameterSets());
        // Profile, tier, level, compatibility and constraint flags, chroma format and bit depths.
        assertThat(ours.slice(0, 13)).isEqualTo(video.config().slice(0, 13));
        assertThat(ours.slice(16, 3)).isEqualTo(video.config().slice(16, 3));
        assertThat(DecoderConfig.parseHvcC(ours).parameterSets()).isEqualTo(config.parameterSets());
    }

    @Test
    void annexBWithBFramesGetsPresentationOrderFromPictureOrderCounts() throws Exception {
        Path raw = Ffmpeg.generate(dir.resolve("bframes.h264"), "-i", h264Aac.toString(), "-map", "0:v", "-c",
                "copy", "-f", "h264");
        MediaFile m = MediaLoader.load(raw, 0);
        List<Double> mp4Pts = Ffmpeg.packetPtsTimes(h264Aac, "v");
        assertThat(m.size()).isEqualTo(mp4Pts.size());
        assertThat(m.frameRate()).isEqualTo(25.0);
        List<Integer> ours = ranks(IntStream.range(0, m.size()).mapToObj(i -> (double) m.pts(i)).toList());
        assertThat(ours).isEqualTo(ranks(mp4Pts));
        for (int i = 0; i < m.size(); i++) {
            assertThat(m.pts(i)).isGreaterThanOrEqualTo(m.dts(i));
        }
    }

    @Test
    void fragmentedAndTruncatedMp4AreRejected() throws Exception {
        Path fragmented = Ffmpeg.generate(dir.resolve("frag.mp4"), "-i", h265.toString(), "-c", "copy",
                "-movflags", "frag_keyframe+empty_moov");
        assertThatThrownBy(() -> MediaLoader.load(fragmented, 0)).isInstanceOf(CodecException.class)
                .hasMessageContaining("fragmented");
        byte[] whole = Files.readAllBytes(h265);
        for (int len = 0; len < whole.length; len += 97) {
            Path cut = dir.resolve("cut.mp4");
            Files.write(cut, java.util.Arrays.copyOf(whole, len));
            try {
                MediaFile m = MediaLoader.load(cut, 0);
                assertThat(m.size()).isPositive();
            } catch (CodecException expected) {
                // fine: only this exception type is allowed
            }
        }
    }

    /** Our 90 kHz pts minus ffprobe's (edit lists applied) must be one constant across video and audio. */
    private static void assertTimelineMatches(MediaFile m, Path file) throws IOException {
        List<Double> videoPts = Ffmpeg.packetPtsTimes(file, "v");
        List<Long> ours = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            if (m.kind(i) != MediaFile.AUDIO) {
                ours.add(m.pts(i));
            }
        }
        // Delivery order is decoding order for video, as in the file.
        assertThat(ours).hasSameSizeAs(videoPts);
        double offset = ours.get(0) - videoPts.get(0) * 90_000;
        for (int i = 0; i < ours.size(); i++) {
            assertThat(ours.get(i) - videoPts.get(i) * 90_000).isCloseTo(offset, within(2.0));
        }
        if (m.audioCodec() != null) {
            List<Double> audioPts = Ffmpeg.packetPtsTimes(file, "a");
            List<Long> expected = new ArrayList<>();
            for (double t : audioPts) {
                long v = Math.round(t * 90_000 + offset);
                if (v >= 0 && v < m.period()) {
                    expected.add(v);
                }
            }
            List<Long> audio = new ArrayList<>();
            for (int i = 0; i < m.size(); i++) {
                if (m.kind(i) == MediaFile.AUDIO) {
                    audio.add(m.pts(i));
                }
            }
            assertThat(audio).hasSameSizeAs(expected);
            for (int i = 0; i < audio.size(); i++) {
                assertThat((double) audio.get(i)).isCloseTo(expected.get(i), within(2.0));
            }
        }
    }

    private static void assertDeliveryOrder(MediaFile m) {
        for (int i = 1; i < m.size(); i++) {
            assertThat(m.dts(i)).isGreaterThanOrEqualTo(m.dts(i - 1));
        }
        assertThat(m.dts(0)).isZero();
        assertThat(m.kind(0)).isEqualTo(MediaFile.KEYFRAME);
    }

    private static List<Boolean> videoKeys(MediaFile m) {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            if (m.kind(i) != MediaFile.AUDIO) {
                out.add(m.kind(i) == MediaFile.KEYFRAME);
            }
        }
        return out;
    }

    private static void write(MediaFile m, Path out, boolean audio) throws IOException {
        try (OutputStream os = Files.newOutputStream(out); var ch = Channels.newChannel(os)) {
            for (int i = 0; i < m.size(); i++) {
                if ((m.kind(i) == MediaFile.AUDIO) == audio) {
                    ch.write(m.sample(i, 0).payload());
                }
            }
        }
    }

    private static List<Integer> ranks(List<Double> values) {
        List<Integer> idx = new ArrayList<>(IntStream.range(0, values.size()).boxed().toList());
        idx.sort(Comparator.comparingDouble(values::get));
        Integer[] out = new Integer[idx.size()];
        for (int r = 0; r < idx.size(); r++) {
            out[idx.get(r)] = r;
        }
        return List.of(out);
    }
}
