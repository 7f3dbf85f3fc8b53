package io.flux.media.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.ffmpeg.JpegOptions.Picture;
import io.flux.media.ffmpeg.testing.TestMedia;

/**
 * Native memory stays flat over hundreds of decodes, failing or not. A leaked 720p decoder (its
 * context and frame pool) costs megabytes, so 200 leaks would show as hundreds of MB of resident memory.
 */
class NativeMemoryTest {

    private static final long MB = 1024 * 1024;
    private static final int ROUNDS = 200;

    static TestMedia.Stream hd;

    @BeforeAll
    static void media() throws Exception {
        JpegSnapshotter.load();
        hd = TestMedia.generate("testsrc-1280x720", Codec.H264, "testsrc=size=1280x720:rate=25", 2, 25,
                "-preset", "ultrafast");
    }

    @Test
    void corruptDecodesDoNotGrowNativeMemory() throws Exception {
        List<List<ByteBuffer>> inputs = corruptInputs();
        int[] failures = {0};
        Runnable round = () -> {
            for (List<ByteBuffer> input : inputs) {
                try {
                    JpegSnapshotter.snapshot(Codec.H264, input, JpegOptions.of(Picture.LAST).withSize(320, 0),
                            System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                } catch (DecodeException e) {
                    failures[0]++;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        };
        for (int i = 0; i < 10; i++) {
            round.run(); // allocator pools and JIT settle
        }
        failures[0] = 0;
        long before = residentBytes();
        for (int i = 0; i < ROUNDS / inputs.size(); i++) {
            round.run();
        }
        long grown = residentBytes() - before;

        assertThat(failures[0]).as("decodes that failed").isGreaterThanOrEqualTo(ROUNDS * 3 / 4);
        assertThat(grown).as("resident memory growth over %d corrupt decodes", ROUNDS).isLessThan(16 * MB);
    }

    @Test
    void successfulDecodesDoNotGrowNativeMemory() throws Exception {
        List<ByteBuffer> gop = hd.gop(0);
        for (int i = 0; i < 10; i++) {
            decodeWithOverlay(gop);
        }
        long before = residentBytes();
        for (int i = 0; i < ROUNDS / 4; i++) {
            decodeWithOverlay(gop);
        }
        long grown = residentBytes() - before;

        assertThat(grown).as("resident memory growth over %d GOP decodes", ROUNDS / 4).isLessThan(16 * MB);
    }

    private static void decodeWithOverlay(List<ByteBuffer> gop) throws Exception {
        JpegSnapshotter.snapshot(Codec.H264, gop, JpegOptions.of(Picture.LAST).withOverlayText("leak check"),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    }

    /** Garbage; the keyframe cut short; its slice data overwritten; P-frames without their keyframe. */
    private static List<List<ByteBuffer>> corruptInputs() {
        Random random = new Random(42);
        byte[] garbage = new byte[64 * 1024];
        random.nextBytes(garbage);

        ByteBuffer key = hd.keyframe();
        byte[] keyBytes = new byte[key.remaining()];
        key.duplicate().get(keyBytes);
        byte[] truncated = java.util.Arrays.copyOf(keyBytes, keyBytes.length / 3);
        byte[] scrambled = keyBytes.clone();
        for (int i = scrambled.length / 5; i < scrambled.length; i++) {
            scrambled[i] = (byte) random.nextInt();
        }
        List<ByteBuffer> gop = hd.gop(0);

        List<List<ByteBuffer>> inputs = new ArrayList<>();
        inputs.add(List.of(ByteBuffer.wrap(garbage)));
        inputs.add(List.of(ByteBuffer.wrap(truncated)));
        inputs.add(List.of(ByteBuffer.wrap(scrambled)));
        inputs.add(gop.subList(1, gop.size()));
        return inputs;
    }

    private static long residentBytes() throws IOException {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }
}
