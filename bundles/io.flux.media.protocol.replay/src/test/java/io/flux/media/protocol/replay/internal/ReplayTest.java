package io.flux.media.protocol.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.testing.FakeSink;

/** Pacing and looping, run synchronously against a clock that jumps instead of sleeping. */
class ReplayTest {

    private static final StreamId ID = StreamId.of("replay", "tiny");

    private static MediaFile tiny(int frames, int gop) throws Exception {
        return MediaLoader.annexB(Path.of("tiny.h264"), ByteBuffer.wrap(TinyStream.h264(frames, gop)), Codec.H264, 0);
    }

    @Test
    void pushesEachSampleWhenItsDecodingTimeIsDue() throws Exception {
        MediaFile media = tiny(20, 10);
        FakeClock clock = FakeClock.jumping();
        long start = clock.nanoTime();
        FakeSink sink = new FakeSink(clock::nanoTime, 0);
        AtomicInteger ended = new AtomicInteger();
        Replay replay = new Replay("tiny", ID, "tiny.h264", media, false, sink.open(ID, "replay"), clock,
                Instant.EPOCH, ended::incrementAndGet);

        replay.run();

        List<FakeSink.Push> pushes = sink.handles.get(0).pushes;
        assertThat(pushes).hasSize(20);
        for (int i = 0; i < pushes.size(); i++) {
            MediaSample s = pushes.get(i).sample();
            assertThat(s.dts()).isEqualTo(i * 3000L);
            assertThat(pushes.get(i).at() - start).isEqualTo(Replay.toNanos(s.dts()));
            assertThat(((VideoSample) s).keyframe()).isEqualTo(i % 10 == 0);
        }
        // One wait per sample after the first, each for an absolute deadline.
        assertThat(clock.waits).hasSize(19).isSorted();
        assertThat(replay.state()).isEqualTo(Replay.State.FINISHED);
        assertThat(replay.loops()).isEqualTo(1);
        assertThat(replay.samples()).isEqualTo(20);
        assertThat(sink.handles.get(0).closed).isTrue();
        assertThat(ended).hasValue(1);
    }

    @Test
    void loopingContinuesTimestampsMonotonically() throws Exception {
        MediaFile media = tiny(12, 6);
        FakeClock clock = FakeClock.jumping();
        FakeSink sink = new FakeSink(clock::nanoTime, 30);
        Replay replay = new Replay("tiny", ID, "tiny.h264", media, true, sink.open(ID, "replay"), clock,
                Instant.EPOCH, () -> { });

        replay.run();

        List<FakeSink.Push> pushes = sink.handles.get(0).pushes;
        assertThat(pushes).hasSize(30);
        assertThat(media.period()).isEqualTo(12 * 3000L);
        for (int i = 1; i < pushes.size(); i++) {
            assertThat(pushes.get(i).sample().dts()).isGreaterThan(pushes.get(i - 1).sample().dts());
            assertThat(pushes.get(i).at()).isGreaterThan(pushes.get(i - 1).at());
        }
        for (int i = 12; i < 30; i++) {
            assertThat(pushes.get(i).sample().pts()).isEqualTo(pushes.get(i - 12).sample().pts() + media.period());
        }
        assertThat(((VideoSample) pushes.get(12).sample()).keyframe()).isTrue();
        assertThat(replay.state()).isEqualTo(Replay.State.STOPPED);
        assertThat(replay.loops()).isEqualTo(2);
        assertThat(sink.handles.get(0).closed).isTrue();
    }

    @Test
    void aLongStallRestartsTheScheduleInsteadOfBursting() throws Exception {
        MediaFile media = tiny(10, 10);
        FakeClock clock = FakeClock.jumping();
        FakeSink sink = new FakeSink(clock::nanoTime, 0);
        MediaSink.StreamHandle recording = sink.open(ID, "replay");
        MediaSink.StreamHandle stalling = new MediaSink.StreamHandle() {
            int n;

            @Override
            public StreamId id() {
                return ID;
            }

            @Override
            public void push(MediaSample sample) {
                recording.push(sample);
                if (++n == 4) {
                    clock.advance(5_000_000_000L);
                }
            }

            @Override
            public void close() {
                recording.close();
            }
        };
        Replay replay = new Replay("tiny", ID, "tiny.h264", media, false, stalling, clock, Instant.EPOCH, () -> { });

        replay.run();

        List<FakeSink.Push> pushes = sink.handles.get(0).pushes;
        assertThat(replay.lagResets()).isEqualTo(1);
        long frame = Replay.toNanos(3000);
        for (int i = 5; i < 10; i++) {
            assertThat(pushes.get(i).at() - pushes.get(i - 1).at()).isCloseTo(frame, within(1L));
        }
    }

    @Test
    void aFailingSinkEndsTheReplayAndClosesTheStream() throws Exception {
        MediaFile media = tiny(5, 5);
        FakeClock clock = FakeClock.jumping();
        AtomicInteger closed = new AtomicInteger();
        MediaSink.StreamHandle broken = new MediaSink.StreamHandle() {
            @Override
            public StreamId id() {
                return ID;
            }

            @Override
            public void push(MediaSample sample) {
                throw new IllegalStateException("core gone");
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        Replay replay = new Replay("tiny", ID, "tiny.h264", media, true, broken, clock, Instant.EPOCH, () -> { });

        replay.run();

        assertThat(replay.state()).isEqualTo(Replay.State.FAILED);
        assertThat(replay.error()).contains("core gone");
        assertThat(closed).hasValue(1);
    }

    @Test
    void theSystemClockPacesInRealTime() throws Exception {
        MediaFile media = tiny(10, 10); // 30 fps: the last sample is due 300 ms after the first
        FakeSink sink = new FakeSink(System::nanoTime, 0);
        Replay replay = new Replay("tiny", ID, "tiny.h264", media, false, sink.open(ID, "replay"),
                ReplayClock.SYSTEM, Instant.EPOCH, () -> { });
        long start = System.nanoTime();

        replay.run();

        List<FakeSink.Push> pushes = sink.handles.get(0).pushes;
        assertThat(pushes).hasSize(10);
        for (FakeSink.Push p : pushes) {
            assertThat(p.at() - start).isGreaterThanOrEqualTo(Replay.toNanos(p.sample().dts()));
        }
        assertThat(pushes.get(9).at() - start).isLessThan(Replay.MAX_LAG_NANOS);
    }

    @Test
    void nanosecondConversionIsExactAndDoesNotOverflow() {
        assertThat(Replay.toNanos(90_000)).isEqualTo(1_000_000_000L);
        assertThat(Replay.toNanos(3003)).isEqualTo(33_366_666L);
        assertThat(Replay.toNanos(90_000L * 86_400 * 365 * 100)).isEqualTo(1_000_000_000L * 86_400 * 365 * 100);
    }
}
