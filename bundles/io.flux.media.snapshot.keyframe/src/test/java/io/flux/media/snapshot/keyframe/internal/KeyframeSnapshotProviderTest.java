package io.flux.media.snapshot.keyframe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotRequest;
import io.flux.media.api.stream.StreamId;
import io.flux.media.ffmpeg.DecodeException;
import io.flux.media.ffmpeg.testing.TestMedia;
import io.flux.media.testing.Configs;

class KeyframeSnapshotProviderTest {

    private static final StreamId STREAM = StreamId.of("replay/test");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static TestMedia.Stream h264;
    static TestMedia.Stream h265;

    KeyframeSnapshotProvider provider;

    @BeforeAll
    static void media() throws Exception {
        h264 = TestMedia.generate("testsrc-320x240", Codec.H264, "testsrc=size=320x240:rate=25", 2, 25);
        h265 = TestMedia.generate("testsrc-320x240", Codec.H265, "testsrc=size=320x240:rate=25", 2, 25);
    }

    @AfterEach
    void stop() throws Exception {
        if (provider != null) {
            provider.deactivate();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"H264", "H265"})
    void decodesTheKeyframeScaledKeepingTheAspect(Codec codec) throws Exception {
        provider = new KeyframeSnapshotProvider(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of()));
        TestMedia.Stream s = codec == Codec.H264 ? h264 : h265;
        Instant before = Instant.now();

        Snapshot snap = await(provider.snapshot(new SnapshotRequest(STREAM, samples(codec, s.gop(0)), 160, 0,
                "cam 1", TIMEOUT)));

        assertThat(provider.mode()).isEqualTo(SnapshotMode.KEYFRAME);
        assertThat(snap.mode()).isEqualTo(SnapshotMode.KEYFRAME);
        assertThat(snap.width()).isEqualTo(160);
        assertThat(snap.height()).isEqualTo(120);
        assertThat(snap.capturedAt()).isBetween(before, Instant.now());
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(snap.jpeg()));
        assertThat(img.getWidth()).isEqualTo(160);
        assertThat(img.getHeight()).isEqualTo(120);
    }

    @Test
    void decodesOnlyTheFirstFrame() throws Exception {
        provider = new KeyframeSnapshotProvider(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of()));
        // A 720p picture after the 320x240 keyframe: decoding it would change the size of the result.
        ByteBuffer hd = TestMedia.generate("testsrc-1280x720", Codec.H264, "testsrc=size=1280x720:rate=25", 1, 25,
                "-preset", "ultrafast").keyframe();
        List<VideoSample> frames = samples(Codec.H264, List.of(h264.keyframe(), hd));

        Snapshot snap = await(provider.snapshot(new SnapshotRequest(STREAM, frames, 0, 0, null, TIMEOUT)));

        assertThat(snap.width()).isEqualTo(320);
        assertThat(snap.height()).isEqualTo(240);
    }

    @Test
    void corruptKeyframeFailsWithDecodeException() throws Exception {
        provider = new KeyframeSnapshotProvider(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of()));
        byte[] junk = new byte[2048];
        new java.util.Random(7).nextBytes(junk);
        SnapshotRequest request = new SnapshotRequest(STREAM,
                List.of(new VideoSample(Codec.H264, 0, 0, true, ByteBuffer.wrap(junk))), 0, 0, null, TIMEOUT);

        assertThatThrownBy(() -> await(provider.snapshot(request))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DecodeException.class);
    }

    @Test
    void expiredTimeoutFailsWithTimeoutException() throws Exception {
        provider = new KeyframeSnapshotProvider(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of()));
        SnapshotRequest request = new SnapshotRequest(STREAM, samples(Codec.H264, List.of(h264.keyframe())), 0, 0, null,
                Duration.ZERO);

        assertThatThrownBy(() -> await(provider.snapshot(request))).cause().isInstanceOf(TimeoutException.class);
    }

    @Test
    void oversizedRequestFailsWithIllegalArgument() throws Exception {
        provider = new KeyframeSnapshotProvider(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of()));
        SnapshotRequest request = new SnapshotRequest(STREAM, samples(Codec.H264, List.of(h264.keyframe())), 100_000, 0,
                null, TIMEOUT);

        assertThatThrownBy(() -> await(provider.snapshot(request))).cause().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void qualityAppliesLive() throws Exception {
        provider = new KeyframeSnapshotProvider(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of("jpeg_quality", 2)));
        SnapshotRequest request = new SnapshotRequest(STREAM, samples(Codec.H264, List.of(h264.keyframe())), 0, 0, null,
                TIMEOUT);
        int best = await(provider.snapshot(request)).jpeg().length;

        provider.modified(Configs.of(KeyframeSnapshotProvider.Config.class, Map.of("jpeg_quality", 31, "threads", 1)));
        int worst = await(provider.snapshot(request)).jpeg().length;

        assertThat(worst).isLessThan(best / 2);
    }

    @Test
    void stoppedProviderRefusesRequests() throws Exception {
        KeyframeSnapshotProvider stopped = new KeyframeSnapshotProvider(
                Configs.of(KeyframeSnapshotProvider.Config.class, Map.of()));
        stopped.deactivate();

        assertThatThrownBy(() -> await(stopped.snapshot(new SnapshotRequest(STREAM,
                samples(Codec.H264, List.of(h264.keyframe())), 0, 0, null, TIMEOUT))))
                .cause().isInstanceOf(RejectedExecutionException.class);
    }

    static List<VideoSample> samples(Codec codec, List<ByteBuffer> accessUnits) {
        List<VideoSample> out = new ArrayList<>();
        for (int i = 0; i < accessUnits.size(); i++) {
            out.add(new VideoSample(codec, i * 3600L, i * 3600L, i == 0, accessUnits.get(i)));
        }
        return out;
    }

    static Snapshot await(java.util.concurrent.CompletionStage<Snapshot> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
