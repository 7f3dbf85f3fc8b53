package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.CodecException;

/** The fMP4 writer judged by the real ffprobe and ffmpeg on ffmpeg-encoded input. */
class SegmentWriterTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void ffmpeg() {
        Media.requireFfmpeg();
    }

    /** Writes all samples into one segment; returns the file. */
    static byte[] write(List<? extends MediaSample> samples, long fragmentMaxTicks, List<SegmentWriter.Keyframe> kf)
            throws IOException, CodecException {
        VideoSample first = (VideoSample) samples.stream().filter(s -> s instanceof VideoSample).findFirst()
                .orElseThrow();
        VideoConfig config = VideoConfig.of(first.codec(),
                VideoConfig.parameterSetsOfAccessUnit(first.codec(), first.payload()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SegmentWriter w = new SegmentWriter(config, first.dts(), fragmentMaxTicks, null,
                (data, length) -> out.write(data, 0, length));
        boolean started = false;
        for (MediaSample s : samples) {
            if (s instanceof VideoSample v) {
                started = true;
                w.addVideo(v.pts(), v.dts(), v.keyframe(), v.payload());
            } else if (started) {
                w.addAudio((AudioSample) s);
            }
        }
        w.finish(-1);
        if (kf != null) {
            kf.addAll(w.keyframes());
        }
        assertThat(w.writtenBytes()).isEqualTo(out.size());
        return out.toByteArray();
    }

    /** Audio before the segment's first keyframe has no place in it. */
    private static long audioAfterFirstVideo(List<MediaSample> samples) {
        int first = 0;
        while (!(samples.get(first) instanceof VideoSample)) {
            first++;
        }
        return samples.subList(first, samples.size()).stream().filter(s -> s instanceof AudioSample).count();
    }

    private Path file(String name, byte[] data) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, data);
        return f;
    }

    private static void assertSameVideo(Path file, List<VideoSample> input) throws IOException {
        List<Media.Packet> packets = Media.packets(file, "v");
        assertThat(packets).hasSize(input.size());
        long base = input.get(0).dts();
        for (int i = 0; i < input.size(); i++) {
            VideoSample in = input.get(i);
            Media.Packet out = packets.get(i);
            assertThat(out.key()).as("keyframe flag of packet %d", i).isEqualTo(in.keyframe());
            assertThat(out.dts()).as("dts of packet %d", i).isEqualTo(in.dts() - base);
            assertThat(out.pts()).as("pts of packet %d", i).isEqualTo(in.pts() - base);
        }
    }

    @Test
    void h264WithBFramesIsValidAndKeepsEveryTimestamp() throws Exception {
        List<VideoSample> input = Media.h264(4);
        assertThat(input).anyMatch(s -> s.pts() != s.dts());
        Path f = file("h264.mp4", write(input, 90_000, null));

        Media.assertValid(f);
        Map<String, String> v = Media.stream(f, "v");
        assertThat(v).containsEntry("codec_name", "h264").containsEntry("codec_tag_string", "avc1")
                .containsEntry("width", "320").containsEntry("height", "240").containsEntry("time_base", "1/90000");
        assertSameVideo(f, input);
    }

    @Test
    void h265IsValidAndKeepsEveryTimestamp() throws Exception {
        List<VideoSample> input = Media.h265(4);
        Path f = file("h265.mp4", write(input, 90_000, null));

        Media.assertValid(f);
        assertThat(Media.stream(f, "v")).containsEntry("codec_name", "hevc").containsEntry("codec_tag_string", "hvc1")
                .containsEntry("width", "320").containsEntry("height", "240");
        assertSameVideo(f, input);
    }

    @Test
    void aacBecomesASecondTrackAtItsSampleRate() throws Exception {
        List<VideoSample> video = Media.h264(4);
        List<MediaSample> samples = Media.interleave(video, Media.aac(5), video.get(0).dts());
        long audioFrames = audioAfterFirstVideo(samples);
        Path f = file("h264-aac.mp4", write(samples, 90_000, null));

        Media.assertValid(f);
        assertThat(Media.stream(f, "a")).containsEntry("codec_name", "aac").containsEntry("sample_rate", "48000")
                .containsEntry("channels", "1").containsEntry("time_base", "1/48000");
        List<Media.Packet> audio = Media.packets(f, "a");
        assertThat(audio).hasSize((int) audioFrames);
        for (int i = 1; i < audio.size(); i++) {
            assertThat(audio.get(i).dts() - audio.get(i - 1).dts()).isEqualTo(1024);
        }
        assertSameVideo(f, video);
    }

    @Test
    void g711ALawAndMuLawAreWrittenAsAlawAndUlawEntries() throws Exception {
        List<VideoSample> video = Media.h264(2);
        for (Codec codec : List.of(Codec.G711A, Codec.G711U)) {
            List<MediaSample> samples = Media.interleave(video, Media.g711(codec, 3), video.get(0).dts());
            long frames = audioAfterFirstVideo(samples);
            Path f = file(codec + ".mp4", write(samples, 90_000, null));

            Media.assertValid(f);
            assertThat(Media.stream(f, "a"))
                    .containsEntry("codec_name", codec == Codec.G711A ? "pcm_alaw" : "pcm_mulaw")
                    .containsEntry("sample_rate", "8000");
            List<Media.Packet> audio = Media.packets(f, "a");
            assertThat(audio).hasSize((int) frames);
            assertThat(audio.get(1).dts() - audio.get(0).dts()).isEqualTo(160);
        }
    }

    @Test
    void everyKeyframeStartsAFragmentWhoseMoofTheIndexPointsAt() throws Exception {
        List<VideoSample> input = Media.h264(4);
        List<SegmentWriter.Keyframe> keyframes = new java.util.ArrayList<>();
        byte[] data = write(input, 90_000, keyframes);

        long inputKeyframes = input.stream().filter(VideoSample::keyframe).count();
        assertThat(keyframes).hasSize((int) inputKeyframes);
        for (SegmentWriter.Keyframe k : keyframes) {
            int at = (int) k.moofOffset();
            assertThat(new String(data, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("moof");
        }
        // The scanner rebuilding the index finds the same fragments.
        Mp4Scanner.Result scan = Mp4Scanner.scan(new ByteArrayInputStream(data));
        assertThat(scan.keyframes()).extracting(Mp4Scanner.Keyframe::moofOffset)
                .containsExactlyElementsOf(keyframes.stream().map(SegmentWriter.Keyframe::moofOffset).toList());
        assertThat(scan.keyframes()).extracting(Mp4Scanner.Keyframe::decodeTime)
                .containsExactlyElementsOf(keyframes.stream().map(SegmentWriter.Keyframe::relativeDts).toList());
        assertThat(scan.timescale()).isEqualTo(90_000);
        assertThat(scan.bytes()).isEqualTo(data.length);
    }

    @Test
    void fragmentsAreCutBetweenKeyframesWhenLongerThanTheLimit() throws Exception {
        List<VideoSample> input = Media.h264(4);
        byte[] data = write(input, 36_000, null); // 0.4 s fragments, 1 s GOPs
        Path f = file("short-fragments.mp4", data);
        Media.assertValid(f);
        assertSameVideo(f, input);

        Mp4Scanner.Result scan = Mp4Scanner.scan(new ByteArrayInputStream(data));
        long gops = input.stream().filter(VideoSample::keyframe).count();
        assertThat(scan.fragments()).isGreaterThanOrEqualTo((int) gops * 3);
        assertThat(scan.keyframes()).hasSize((int) gops);
        long lastDts = input.get(input.size() - 1).dts() - input.get(0).dts();
        assertThat(scan.endDecodeTime()).isEqualTo(lastDts + 3600);
    }

    @Test
    void audioWithoutVideoIsNotBufferedWithoutBound() throws Exception {
        VideoSample key = Media.h264(2).get(0);
        List<AudioSample> audio = Media.g711(Codec.G711A, 14);
        List<MediaSample> samples = new java.util.ArrayList<>();
        samples.add(key);
        for (AudioSample a : audio) {
            samples.add(new AudioSample(a.codec(), a.pts() + key.dts(), a.sampleRate(), a.channels(), a.payload()));
        }
        Path f = file("stalled-video.mp4", write(samples, 90_000, null));
        Media.assertValid(f);
        int kept = Media.packets(f, "a").size();
        // 50 frames a second; a little over the ten seconds the writer holds.
        assertThat(kept).isBetween(500, 502).isLessThan(audio.size());
    }

    @Test
    void aSegmentMustStartWithAKeyframe() throws Exception {
        List<VideoSample> input = Media.h264(2);
        VideoSample first = input.get(0);
        VideoConfig config = VideoConfig.of(Codec.H264, VideoConfig.parameterSetsOfAccessUnit(Codec.H264,
                first.payload()));
        SegmentWriter w = new SegmentWriter(config, 0, 90_000, null, (d, l) -> { });
        VideoSample second = input.get(1);
        assertThatThrownBy(() -> w.addVideo(second.pts(), second.dts(), false, second.payload()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parameterSetsComeFromTheKeyframeAndLeaveTheSamples() throws Exception {
        VideoSample first = Media.h264(2).get(0);
        VideoConfig config = VideoConfig.of(Codec.H264, VideoConfig.parameterSetsOfAccessUnit(Codec.H264,
                first.payload()));
        assertThat(config.width()).isEqualTo(320);
        assertThat(config.height()).isEqualTo(240);
        assertThat(config.parameterSets()).hasSize(2);
        assertThat(config.sameParameterSets(VideoConfig.parameterSetsOfAccessUnit(Codec.H264, first.payload())))
                .isTrue();
        VideoSample other = Media.video(Codec.H264, 2, 160, 120).get(0);
        assertThat(config.sameParameterSets(VideoConfig.parameterSetsOfAccessUnit(Codec.H264, other.payload())))
                .isFalse();
        assertThatThrownBy(() -> VideoConfig.of(Codec.H264, List.of())).isInstanceOf(CodecException.class);
    }
}
