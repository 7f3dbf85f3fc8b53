package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flux.media.testing.Ffmpeg;

/** Presentation order derived from POCs matches the encoder's timestamps in MP4. */
class PictureOrderTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"libx264 -bf 3 -g 12", "libx264 -bf 0 -g 10",
        "libx264 -x264-params keyint=15:bframes=2:b-pyramid=strict:open-gop=1",
        "libx264 -flags +ildct+ilme -x264-params keyint=9:bframes=2",
        "libx265 -x265-params keyint=12:bframes=4:log-level=error",
        "libx265 -x265-params keyint=10:open-gop=0:b-pyramid=0:log-level=error"})
    void displayOrderMatchesMp4Timestamps(String spec) throws Exception {
        assumeTrue(Ffmpeg.available(), "ffmpeg not installed");
        List<String> parts = List.of(spec.split(" "));
        boolean hevc = parts.get(0).equals("libx265");
        List<String> options = parts.subList(1, parts.size());
        List<String> args0 = List.of(parts.get(0));
        Path mp4 = dir.resolve("order.mp4");
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc=size=160x120:rate=25",
                "-frames:v", "61", "-pix_fmt", "yuv420p", "-c:v", args0.get(0)));
        args.addAll(options);
        Ffmpeg.generate(mp4, args.toArray(String[]::new));
        Path raw = Ffmpeg.generate(dir.resolve(hevc ? "order.h265" : "order.h264"), "-i", mp4.toString(), "-c",
                "copy", "-f", hevc ? "hevc" : "h264");
        List<Long> pts = Ffmpeg.packetPts(mp4);

        AnnexBReader reader = new AnnexBReader(ByteBuffer.wrap(Files.readAllBytes(raw)), hevc);
        PictureOrder order = hevc ? PictureOrder.h265() : PictureOrder.h264();
        List<long[]> keys = new ArrayList<>();
        long period = -1;
        for (AccessUnit au = reader.next(); au != null; au = reader.next()) {
            int poc = order.next(au.nals());
            if (order.restarted()) {
                period++;
            }
            keys.add(new long[] {period, poc});
        }
        assertThat(keys).hasSameSizeAs(pts);
        assertThat(rank(keys)).isEqualTo(rankPts(pts));
    }

    @Test
    void sliceWithoutItsParameterSetsIsACodecException() {
        PictureOrder order = PictureOrder.h264();
        assertThatThrownBy(() -> order.next(List.of(Bits.of(0x65, 0x88, 0x84)))).isInstanceOf(CodecException.class)
                .hasMessageContaining("unknown PPS");
        assertThatThrownBy(() -> order.next(List.of(Bits.of(0x67, 0x42)))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> PictureOrder.h265().next(List.of())).isInstanceOf(CodecException.class)
                .hasMessageContaining("without a slice");
    }

    private static List<Integer> rank(List<long[]> keys) {
        List<Integer> idx = new ArrayList<>(IntStream.range(0, keys.size()).boxed().toList());
        idx.sort(Comparator.<Integer>comparingLong(i -> keys.get(i)[0]).thenComparingLong(i -> keys.get(i)[1]));
        return inverse(idx);
    }

    private static List<Integer> rankPts(List<Long> pts) {
        List<Integer> idx = new ArrayList<>(IntStream.range(0, pts.size()).boxed().toList());
        idx.sort(Comparator.comparingLong(pts::get));
        return inverse(idx);
    }

    private static List<Integer> inverse(List<Integer> sorted) {
        Integer[] out = new Integer[sorted.size()];
        for (int r = 0; r < sorted.size(); r++) {
            out[sorted.get(r)] = r;
        }
        return List.of(out);
    }
}
