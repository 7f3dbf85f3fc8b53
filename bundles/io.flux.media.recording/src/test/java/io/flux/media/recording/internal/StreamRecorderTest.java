package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;

/** Segment boundaries: strategies, keyframes, parameter set changes, discontinuities, storage failures. */
class StreamRecorderTest {

    static final StreamId STREAM = StreamId.of("test/cam-1");
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MemoryStore store = new MemoryStore();
    private final AtomicLong clock = new AtomicLong(T0);

    @BeforeAll
    static void ffmpeg() {
        Media.requireFfmpeg();
    }

    private StreamRecorder recorder(SegmentPolicy policy) {
        return new StreamRecorder(STREAM, store, () -> new StreamRecorder.Settings(policy, 90_000), () -> null,
                clock::get);
    }

    private static void feed(StreamRecorder r, List<? extends MediaSample> samples) {
        for (MediaSample s : samples) {
            if (s instanceof VideoSample v) {
                r.onVideo(v);
            } else {
                r.onAudio((AudioSample) s);
            }
        }
    }

    static List<VideoSample> shift(List<VideoSample> in, long delta) {
        return in.stream().map(s -> new VideoSample(s.codec(), s.pts() + delta, s.dts() + delta, s.keyframe(),
                s.payload())).toList();
    }

    /** Every completed segment is valid, starts on a keyframe and holds its share of the input. */
    private List<List<Media.Packet>> validSegments() throws IOException {
        List<List<Media.Packet>> out = new ArrayList<>();
        int i = 0;
        for (MemoryStore.Segment s : store.completed()) {
            Path f = dir.resolve("seg-" + i++ + ".mp4");
            Files.write(f, s.data.toByteArray());
            Media.assertValid(f);
            List<Media.Packet> packets = Media.packets(f, "v");
            assertThat(packets.get(0).key()).as("first packet of %s is a keyframe", s.key).isTrue();
            assertThat(packets.get(0).dts()).isZero();
            assertThat(s.summary.bytes()).isEqualTo(s.data.size());
            out.add(packets);
        }
        return out;
    }

    @Test
    void timeStrategyCutsAtTheFirstKeyframeAfterTheDuration() throws Exception {
        List<VideoSample> input = Media.h264(6);
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 2));
        feed(r, input);
        r.close();

        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).hasSize(3);
        assertThat(segments).allSatisfy(p -> assertThat(p).hasSize(50));
        assertThat(store.completed()).allSatisfy(s -> {
            assertThat(s.summary.durationTicks()).isEqualTo(2 * 90_000);
            assertThat(s.summary.keyframes()).hasSize(2);
        });
        // Back to back: each segment starts where the previous one ended, on the wall clock too.
        List<MemoryStore.Segment> c = store.completed();
        for (int i = 1; i < c.size(); i++) {
            assertThat(c.get(i).summary.startMillis()).isEqualTo(c.get(i - 1).summary.endMillis());
        }
        assertThat(c.get(0).summary.startMillis()).isEqualTo(T0);
        assertThat(c.get(0).key).isEqualTo("test/cam-1/segments/20231114/" + T0 + "-0.mp4");
    }

    @Test
    void gopStrategyCountsKeyframes() throws Exception {
        List<VideoSample> input = Media.h264(6);
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.GOPS, 3));
        feed(r, input);
        r.close();

        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).hasSize(2);
        assertThat(segments).allSatisfy(p -> assertThat(p).hasSize(75));
    }

    @Test
    void sizeStrategyCutsAtTheFirstKeyframePastTheSize() throws Exception {
        List<VideoSample> input = Media.video(Codec.H265, 6, 320, 240, true);
        long limit = 64 * 1024;
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.SIZE, limit));
        feed(r, input);
        r.close();

        List<MemoryStore.Segment> done = store.completed();
        assertThat(done).hasSizeGreaterThan(1);
        validSegments();
        for (int i = 0; i < done.size() - 1; i++) {
            MemoryStore.Segment s = done.get(i);
            List<SegmentWriter.Keyframe> k = s.summary.keyframes();
            assertThat(s.summary.bytes()).isGreaterThanOrEqualTo(limit);
            // Without its last GOP the segment was still below the limit: it ended at the first keyframe past it.
            assertThat(k.get(k.size() - 1).moofOffset()).isLessThan(limit);
        }
        int total = done.stream().mapToInt(s -> s.summary.keyframes().size()).sum();
        assertThat(total).isEqualTo((int) input.stream().filter(VideoSample::keyframe).count());
    }

    @Test
    void newParameterSetsStartANewSegment() throws Exception {
        List<VideoSample> big = Media.h264(2);
        List<VideoSample> small = Media.video(Codec.H264, 2, 160, 120);
        VideoSample lastBig = big.get(big.size() - 1);
        List<VideoSample> input = new ArrayList<>(big);
        input.addAll(shift(small, lastBig.dts() + 3600 - small.get(0).dts()));
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 60));
        feed(r, input);
        r.close();

        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).hasSize(2);
        Path second = dir.resolve("seg-1.mp4");
        assertThat(Media.stream(second, "v")).containsEntry("width", "160").containsEntry("height", "120");
        assertThat(segments.get(0)).hasSize(big.size());
        assertThat(segments.get(1)).hasSize(small.size());
    }

    @Test
    void timestampsGoingBackEndTheSegmentAndTheNextWaitsForAKeyframe() throws Exception {
        List<VideoSample> a = Media.h264(2);
        List<VideoSample> b = Media.h264(2);
        List<VideoSample> input = new ArrayList<>(a);
        // The source restarts with its clock at zero, mid-GOP: the first 10 frames are not decodable alone.
        input.addAll(shift(b, -b.get(0).dts()).subList(10, b.size()));
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 60));
        clock.set(T0);
        feed(r, input.subList(0, a.size()));
        clock.set(T0 + 10_000);
        feed(r, input.subList(a.size(), input.size()));
        r.close();

        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).hasSize(2);
        assertThat(segments.get(0)).hasSize(a.size());
        assertThat(segments.get(1)).hasSize(b.size() - 25); // from the keyframe of the second GOP
        // The wall clock is taken again after a discontinuity.
        assertThat(store.completed().get(1).summary.startMillis()).isEqualTo(T0 + 10_000);
    }

    @Test
    void droppedGopsEndTheSegment() throws Exception {
        List<VideoSample> input = Media.h264(4);
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 60));
        feed(r, input.subList(0, 30));
        r.onGap();
        // The core resumes at a keyframe after the dropped GOPs.
        feed(r, input.subList(75, input.size()));
        r.close();

        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).hasSize(2);
        assertThat(segments.get(0)).hasSize(30);
        assertThat(segments.get(1)).hasSize(input.size() - 75);
    }

    @Test
    void aStorageFailureLosesOneSegmentAndRecordingResumesAtTheNextKeyframe() throws Exception {
        List<VideoSample> input = Media.h264(6);
        store.failAfterBytes = 5_000;
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 2));
        feed(r, input);
        r.close();

        assertThat(store.segments.get(0).aborted).hasMessage("disk on fire");
        assertThat(r.status().lastError()).isNull();
        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).isNotEmpty();
        int recorded = segments.stream().mapToInt(List::size).sum();
        assertThat(recorded).isLessThan(input.size()).isGreaterThanOrEqualTo(input.size() - 50);
    }

    @Test
    void statusReportsTheOpenSegment() throws Exception {
        List<VideoSample> input = Media.h264(2);
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 60));
        assertThat(r.status().open()).isFalse();
        feed(r, input.subList(0, 10));
        StreamRecorder.Status s = r.status();
        assertThat(s.open()).isTrue();
        assertThat(s.segmentKey()).isEqualTo(store.segments.get(0).key);
        assertThat(s.segmentStartMillis()).isEqualTo(T0);
        assertThat(s.segmentBytes()).isPositive();
        r.close();
        assertThat(r.status().open()).isFalse();
        assertThat(r.status().segmentsCompleted()).isEqualTo(1);
    }

    @Test
    void aClosedRecorderIgnoresLateSamples() throws Exception {
        List<VideoSample> input = Media.h264(3);
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 60));
        feed(r, input.subList(0, 10));
        r.close();
        feed(r, input.subList(25, input.size())); // a keyframe racing with the stop
        assertThat(store.segments).hasSize(1);
        assertThat(r.status().open()).isFalse();
    }

    @Test
    void samplesBeforeTheFirstKeyframeAreSkipped() throws Exception {
        List<VideoSample> input = Media.h264(3);
        StreamRecorder r = recorder(new SegmentPolicy(SegmentStrategy.TIME, 60));
        feed(r, input.subList(5, input.size()));
        r.close();
        List<List<Media.Packet>> segments = validSegments();
        assertThat(segments).hasSize(1);
        assertThat(segments.get(0)).hasSize(input.size() - 25);
    }
}
