package io.flux.media.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotRequest;
import io.flux.media.api.stream.StreamId;
import io.flux.media.ffmpeg.testing.TestMedia;

class SnapshotDecoderTest {

    static TestMedia.Stream h264;

    SnapshotDecoder decoder;

    @BeforeAll
    static void media() throws Exception {
        h264 = TestMedia.generate("testsrc-320x240", Codec.H264, "testsrc=size=320x240:rate=25", 2, 25);
    }

    @AfterEach
    void close() {
        if (decoder != null) {
            decoder.close();
        }
    }

    @Test
    void clampsThreadsAndValuesToTheirRanges() throws Exception {
        decoder = new SnapshotDecoder("test-decoder", 0, 0);
        assertThat(decoder.threads()).isEqualTo(1);
        assertThat(decoder.version()).isNotBlank();

        decoder.threads(1000);
        assertThat(decoder.threads()).isEqualTo(SnapshotDecoder.MAX_THREADS);
        decoder.threads(3);
        assertThat(decoder.threads()).isEqualTo(3);

        assertThat(decoder.clamp(1, 2, 31, "jpeg.quality")).isEqualTo(2);
        assertThat(decoder.clamp(40, 2, 31, "jpeg.quality")).isEqualTo(31);
        assertThat(decoder.clamp(5, 2, 31, "jpeg.quality")).isEqualTo(5);
    }

    @Test
    void reportsTheModeItWasGivenAndTheRequestTime() throws Exception {
        decoder = new SnapshotDecoder("test-decoder", 1, 1);
        List<VideoSample> frames = List.of(new VideoSample(Codec.H264, 0, 0, true, h264.keyframe()));
        SnapshotRequest request = new SnapshotRequest(StreamId.of("test", "cam"), frames, 160, 0, null,
                Duration.ofSeconds(30));
        long before = System.currentTimeMillis();

        Snapshot s = decoder.snapshot(request, SnapshotMode.DECODE, frames, 5, 1, JpegOptions.Picture.FIRST)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(s.mode()).isEqualTo(SnapshotMode.DECODE);
        assertThat(s.width()).isEqualTo(160);
        assertThat(s.height()).isEqualTo(120);
        assertThat(s.capturedAt().toEpochMilli()).isGreaterThanOrEqualTo(before);
    }
}
