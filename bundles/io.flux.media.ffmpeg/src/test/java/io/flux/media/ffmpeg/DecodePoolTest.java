package io.flux.media.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.ffmpeg.JpegOptions.Picture;
import io.flux.media.ffmpeg.testing.TestMedia;

class DecodePoolTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    static TestMedia.Stream small;
    /** 300 frames of 720p: a decode long enough to keep a thread busy. */
    static List<ByteBuffer> slowGop;
    static long slowNanos;

    DecodePool pool;

    @BeforeAll
    static void media() throws Exception {
        small = TestMedia.generate("testsrc-320x240", Codec.H264, "testsrc=size=320x240:rate=25", 2, 25);
        slowGop = TestMedia.generate("testsrc-1280x720-long", Codec.H264, "testsrc=size=1280x720:rate=25", 12, 300,
                "-preset", "ultrafast").gop(0);
        long start = System.nanoTime();
        JpegSnapshotter.snapshot(Codec.H264, slowGop, JpegOptions.of(Picture.LAST), start + LONG.toNanos());
        slowNanos = System.nanoTime() - start;
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void completesWithThePicture() throws Exception {
        pool = new DecodePool("test-snapshot", 2, 4);

        JpegPicture p = await(pool.submit(Codec.H264, List.of(small.keyframe()), JpegOptions.of(Picture.FIRST), LONG));

        assertThat(p.width()).isEqualTo(320);
        assertThat(JpegSnapshotterTest.image(p).getHeight()).isEqualTo(240);
    }

    @Test
    void corruptInputFailsTheStageWithDecodeException() {
        pool = new DecodePool("test-snapshot", 1, 4);

        CompletableFuture<JpegPicture> f = pool.submit(Codec.H264, List.of(ByteBuffer.wrap(new byte[] {0, 0, 1, 9, 1, 2})),
                JpegOptions.of(Picture.FIRST), LONG).toCompletableFuture();

        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DecodeException.class);
    }

    @Test
    void fullQueueRejectsAtOnce() {
        pool = new DecodePool("test-snapshot", 1, 1);
        pool.submit(Codec.H264, slowGop, JpegOptions.of(Picture.LAST), LONG); // runs
        pool.submit(Codec.H264, slowGop, JpegOptions.of(Picture.LAST), LONG); // waits

        CompletableFuture<JpegPicture> third = pool.submit(Codec.H264, List.of(small.keyframe()),
                JpegOptions.of(Picture.FIRST), LONG).toCompletableFuture();

        assertThat(third).isCompletedExceptionally();
        assertThatThrownBy(third::join).cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("busy");
    }

    @Test
    void deadlineCountsTheWaitInTheQueue() throws Exception {
        pool = new DecodePool("test-snapshot", 1, 4);
        CompletableFuture<JpegPicture> busy = pool.submit(Codec.H264, slowGop, JpegOptions.of(Picture.LAST), LONG)
                .toCompletableFuture();
        long start = System.nanoTime();

        CompletableFuture<Boolean> busyDoneWhenQueuedFailed = pool.submit(Codec.H264, List.of(small.keyframe()),
                JpegOptions.of(Picture.FIRST), Duration.ofMillis(20)).toCompletableFuture()
                .handle((p, e) -> {
                    assertThat(e).isInstanceOf(TimeoutException.class).hasMessageContaining("20 ms");
                    return busy.isDone();
                });

        assertThat(busyDoneWhenQueuedFailed.get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(slowNanos);
        assertThat(busy.get(30, TimeUnit.SECONDS).decodedFrames()).isEqualTo(300);
    }

    @Test
    void deadlineStopsTheRunningDecodeAndFreesTheThread() throws Exception {
        pool = new DecodePool("test-snapshot", 1, 4);
        long start = System.nanoTime();

        CompletableFuture<JpegPicture> slow = pool.submit(Codec.H264, slowGop, JpegOptions.of(Picture.LAST),
                Duration.ofNanos(slowNanos / 10)).toCompletableFuture();
        JpegPicture next = await(pool.submit(Codec.H264, List.of(small.keyframe()), JpegOptions.of(Picture.FIRST), LONG));

        assertThat(next.width()).isEqualTo(320);
        assertThatThrownBy(slow::join).cause().isInstanceOf(TimeoutException.class);
        // The slow decode was abandoned at its next check, not finished.
        assertThat(System.nanoTime() - start).isLessThan(slowNanos / 10 + slowNanos / 2);
    }

    @Test
    void closeFailsWaitingRequests() {
        pool = new DecodePool("test-snapshot", 1, 4);
        CompletableFuture<JpegPicture> running = pool.submit(Codec.H264, slowGop, JpegOptions.of(Picture.LAST), LONG)
                .toCompletableFuture();
        CompletableFuture<JpegPicture> waiting = pool.submit(Codec.H264, slowGop, JpegOptions.of(Picture.LAST), LONG)
                .toCompletableFuture();

        pool.close();

        assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("closed");
        CompletableFuture<JpegPicture> after = pool.submit(Codec.H264, List.of(small.keyframe()),
                JpegOptions.of(Picture.FIRST), LONG).toCompletableFuture();
        assertThatThrownBy(after::join).cause().isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void threadsCanBeResizedLive() throws Exception {
        pool = new DecodePool("test-snapshot", 1, 4);

        pool.threads(3);
        assertThat(pool.threads()).isEqualTo(3);
        pool.threads(1);
        assertThat(pool.threads()).isEqualTo(1);
        assertThat(await(pool.submit(Codec.H264, List.of(small.keyframe()), JpegOptions.of(Picture.FIRST), LONG))
                .height()).isEqualTo(240);
        assertThatThrownBy(() -> pool.threads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zeroTimeoutFailsAtOnce() {
        pool = new DecodePool("test-snapshot", 1, 4);

        CompletableFuture<JpegPicture> f = pool.submit(Codec.H264, List.of(small.keyframe()),
                JpegOptions.of(Picture.FIRST), Duration.ZERO).toCompletableFuture();

        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).cause().isInstanceOf(TimeoutException.class);
    }

    private static JpegPicture await(java.util.concurrent.CompletionStage<JpegPicture> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
