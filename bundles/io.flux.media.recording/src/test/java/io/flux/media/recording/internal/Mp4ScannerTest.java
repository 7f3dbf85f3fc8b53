package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.VideoSample;

/** The reindex scanner on real segments, truncated ones and garbage. */
class Mp4ScannerTest {

    @BeforeAll
    static void ffmpeg() {
        Media.requireFfmpeg();
    }

    @Test
    void truncatedSegmentsAreRejected() throws Exception {
        List<VideoSample> input = Media.h264(2);
        byte[] data = SegmentWriterTest.write(input, 90_000, null);
        for (int cut : new int[] {4, 20, 600, data.length / 2, data.length - 1}) {
            byte[] part = Arrays.copyOf(data, cut);
            assertThatThrownBy(() -> Mp4Scanner.scan(new ByteArrayInputStream(part))).as("cut at %d", cut)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void theCompletePrefixOfATornSegmentEndsAfterItsLastWholeFragmentAndScans() throws Exception {
        byte[] data = SegmentWriterTest.write(Media.h264(2), 90_000, null);
        assertThat(Mp4Scanner.completePrefix(new ByteArrayInputStream(data))).isEqualTo(data.length);
        long previous = -1;
        for (int cut : new int[] {4, 600, data.length / 3, data.length / 2, data.length - 1}) {
            long valid = Mp4Scanner.completePrefix(new ByteArrayInputStream(Arrays.copyOf(data, cut)));
            assertThat(valid).as("cut at %d", cut).isLessThanOrEqualTo(cut).isGreaterThanOrEqualTo(previous);
            previous = valid;
            if (valid > 0) {
                Mp4Scanner.Result r = Mp4Scanner.scan(new ByteArrayInputStream(Arrays.copyOf(data, (int) valid)));
                assertThat(r.bytes()).isEqualTo(valid);
                assertThat(r.fragments()).isPositive();
            }
        }
        assertThat(Mp4Scanner.completePrefix(new ByteArrayInputStream(Arrays.copyOf(data, 600)))).isZero();
        assertThat(previous).isPositive().isLessThan(data.length);
    }

    @Test
    void garbageIsRejectedWithoutLoopingOrAllocatingWildly() {
        byte[][] inputs = {
            new byte[0],
            {0, 0, 0, 1, 'm', 'o', 'o', 'v'},
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'm', 'o', 'o', 'v'},
            {0, 0, 0, 3, 'f', 'r', 'e', 'e'},
            {0, 0, 0, 0, 'f', 'r', 'e', 'e'},
        };
        for (byte[] in : inputs) {
            assertThatThrownBy(() -> Mp4Scanner.scan(new ByteArrayInputStream(in))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void corruptBoxesInsideMoovAreIOExceptions() throws Exception {
        byte[] data = SegmentWriterTest.write(Media.h264(2), 90_000, null);
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] copy = data.clone();
            int at = 8 + random.nextInt(1200);
            copy[at] = (byte) random.nextInt(256);
            try {
                Mp4Scanner.scan(new ByteArrayInputStream(copy));
            } catch (IOException expected) {
                // Corruption either goes unnoticed (it hit sample data) or is an IOException, nothing else.
            }
        }
    }
}
