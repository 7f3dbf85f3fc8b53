package io.flux.media.snapshot.decode.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.imageio.ImageIO;

import org.assertj.core.data.Offset;
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

class DecodeSnapshotProviderTest {

    private static final StreamId STREAM = StreamId.of("replay/test");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    static TestMedia.Stream h264;
    static TestMedia.Stream h265;
    /**
     * Luma grows by 8 per frame from black, so the mean brightness tells which frame a picture is. No
     * B-frames: decoding order is presentation order, so the first n access units end with frame n - 1.
     */
    static TestMedia.Stream ramp;

    DecodeSnapshotProvider provider;

    @BeforeAll
    static void media() throws Exception {
        h264 = TestMedia.generate("testsrc-320x240", Codec.H264, "testsrc=size=320x240:rate=25", 2, 25);
        h265 = TestMedia.generate("testsrc-320x240", Codec.H265, "testsrc=size=320x240:rate=25", 2, 25);
        ramp = TestMedia.generate("ramp-no-bframes-320x240", Codec.H264, "color=c=black:size=320x240:rate=25", 2, 25,
                "-vf", "geq=lum='16+N*8':cb=128:cr=128", "-pix_fmt", "yuv420p", "-bf", "0");
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.deactivate();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"H264", "H265"})
    void decodesTheWholeGopScaledKeepingTheAspect(Codec codec) throws Exception {
        provider = new DecodeSnapshotProvider(Configs.of(DecodeSnapshotProvider.Config.class, Map.of()));
        TestMedia.Stream s = codec == Codec.H264 ? h264 : h265;

        Snapshot snap = await(provider.snapshot(new SnapshotRequest(STREAM, samples(codec, s.gop(1)), 100, 100,
                "decode", TIMEOUT)));

        assertThat(provider.mode()).isEqualTo(SnapshotMode.DECODE);
        assertThat(snap.mode()).isEqualTo(SnapshotMode.DECODE);
        assertThat(snap.width()).isEqualTo(100);
        assertThat(snap.height()).isEqualTo(75);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(snap.jpeg()));
        assertThat(img.getWidth()).isEqualTo(100);
        assertThat(img.getHeight()).isEqualTo(75);
    }

    @Test
    void returnsTheNewestPicture() throws Exception {
        provider = new DecodeSnapshotProvider(Configs.of(DecodeSnapshotProvider.Config.class,
                Map.of("decoder_threads", 2)));
        List<VideoSample> gop = samples(Codec.H264, ramp.gop(0));

        Snapshot newest = await(provider.snapshot(new SnapshotRequest(STREAM, gop, 0, 0, null, TIMEOUT)));
        Snapshot tenth = await(provider.snapshot(new SnapshotRequest(STREAM, gop.subList(0, 10), 0, 0, null, TIMEOUT)));

        // Frame n has limited-range luma 16 + 8n, full range 8n * 255 / 219 in the JPEG.
        assertThat(meanLuma(newest)).isCloseTo(24 * 8 * 255.0 / 219, Offset.offset(4.0));
        assertThat(meanLuma(tenth)).isCloseTo(9 * 8 * 255.0 / 219, Offset.offset(4.0));
    }

    @Test
    void corruptFramesFailWithDecodeException() throws Exception {
        provider = new DecodeSnapshotProvider(Configs.of(DecodeSnapshotProvider.Config.class, Map.of()));
        byte[] junk = new byte[2048];
        new java.util.Random(7).nextBytes(junk);
        List<VideoSample> frames = List.of(new VideoSample(Codec.H264, 0, 0, true, ByteBuffer.wrap(junk)),
                new VideoSample(Codec.H264, 3600, 3600, false, ByteBuffer.wrap(junk, 0, 1000)));

        assertThatThrownBy(() -> await(provider.snapshot(new SnapshotRequest(STREAM, frames, 0, 0, null, TIMEOUT))))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(DecodeException.class);
    }

    @Test
    void timeoutStopsALongDecode() throws Exception {
        provider = new DecodeSnapshotProvider(Configs.of(DecodeSnapshotProvider.Config.class, Map.of("threads", 1)));
        List<VideoSample> long720p = samples(Codec.H264, TestMedia.generate("testsrc-1280x720-long", Codec.H264,
                "testsrc=size=1280x720:rate=25", 12, 300, "-preset", "ultrafast").gop(0));
        long start = System.nanoTime();
        Snapshot full = await(provider.snapshot(new SnapshotRequest(STREAM, long720p, 0, 0, null, TIMEOUT)));
        long fullNanos = System.nanoTime() - start;
        assertThat(full.width()).isEqualTo(1280);

        long started = System.nanoTime();
        CompletionStage<Snapshot> cut = provider.snapshot(new SnapshotRequest(STREAM, long720p, 0, 0, null,
                Duration.ofNanos(fullNanos / 10)));
        assertThatThrownBy(() -> await(cut)).cause().isInstanceOf(TimeoutException.class)
                .hasMessageContaining("did not finish within");
        // The one decode thread is free again long before the full decode would have ended.
        Snapshot next = await(provider.snapshot(new SnapshotRequest(STREAM, samples(Codec.H264, List.of(h264.keyframe())),
                0, 0, null, TIMEOUT)));
        assertThat(next.width()).isEqualTo(320);
        assertThat(System.nanoTime() - started).isLessThan(fullNanos / 10 + fullNanos / 2);
    }

    static List<VideoSample> samples(Codec codec, List<ByteBuffer> accessUnits) {
        List<VideoSample> out = new ArrayList<>();
        for (int i = 0; i < accessUnits.size(); i++) {
            out.add(new VideoSample(codec, i * 3600L, i * 3600L, i == 0, accessUnits.get(i)));
        }
        return out;
    }

    static Snapshot await(CompletionStage<Snapshot> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static double meanLuma(Snapshot snap) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(snap.jpeg()));
        double sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                sum += 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
            }
        }
        return sum / (img.getWidth() * img.getHeight());
    }
}
