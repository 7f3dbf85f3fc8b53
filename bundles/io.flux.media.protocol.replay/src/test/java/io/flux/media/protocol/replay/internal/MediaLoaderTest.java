package io.flux.media.protocol.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.H264;
import io.flux.media.codec.NalUnits;

/** Annex B loading and MP4 robustness with hand-made input. */
class MediaLoaderTest {

    private static final Path P = Path.of("x.h264");

    @Test
    void annexBStreamGetsFrameRateTimestampsFromItsSps() throws Exception {
        MediaFile m = MediaLoader.annexB(P, ByteBuffer.wrap(TinyStream.h264(40, 8)), Codec.H264, 0);
        assertThat(m.size()).isEqualTo(40);
        assertThat(m.width()).isEqualTo(64);
        assertThat(m.height()).isEqualTo(48);
        assertThat(m.profile()).isEqualTo("Constrained Baseline");
        assertThat(m.frameRate()).isEqualTo(30.0);
        assertThat(m.period()).isEqualTo(40 * 3000L);
        assertThat(m.count(MediaFile.KEYFRAME)).isEqualTo(5);
        for (int i = 0; i < m.size(); i++) {
            assertThat(m.dts(i)).isEqualTo(i * 3000L);
            assertThat(m.pts(i)).isEqualTo(m.dts(i));
        }
        VideoSample first = (VideoSample) m.sample(0, 0);
        assertThat(first.keyframe()).isTrue();
        assertThat(NalUnits.splitAnnexB(first.payload())).extracting(H264::nalType).containsExactly(7, 8, 5);
        assertThat(first.payload().isReadOnly()).isTrue();
    }

    @Test
    void frameRateOverrideAndLeadingNonKeyframesSkipped() throws Exception {
        byte[] stream = TinyStream.h264(20, 10);
        // The file starts mid-GOP: the first nine P pictures cannot be decoded and are left out.
        byte[] cut = Arrays.copyOfRange(stream, indexOfFirstP(stream), stream.length);
        MediaFile m = MediaLoader.annexB(P, ByteBuffer.wrap(cut), Codec.H264, 12.5);
        assertThat(m.size()).isEqualTo(10);
        assertThat(m.kind(0)).isEqualTo(MediaFile.KEYFRAME);
        assertThat(m.dts(1)).isEqualTo(7200);
    }

    @Test
    void streamsWithoutKeyframeOrSpsAreRejected() {
        byte[] stream = TinyStream.h264(10, 10);
        byte[] noIdr = Arrays.copyOfRange(stream, indexOfFirstP(stream), stream.length);
        assertThatThrownBy(() -> MediaLoader.annexB(P, ByteBuffer.wrap(noIdr), Codec.H264, 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("keyframe");
        byte[] idrOnly = {0, 0, 0, 1, 0x65, (byte) 0x88, (byte) 0x84, 0x21};
        assertThatThrownBy(() -> MediaLoader.annexB(P, ByteBuffer.wrap(idrOnly), Codec.H264, 0))
                .isInstanceOf(CodecException.class).hasMessageContaining("SPS");
        assertThatThrownBy(() -> MediaLoader.annexB(P, ByteBuffer.allocate(0), Codec.H264, 0))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void garbageGivesOnlyCodecExceptions() {
        Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            byte[] bytes = new byte[random.nextInt(3000)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length > 16) {
                // Something box-like at the start.
                bytes[0] = 0;
                bytes[1] = 0;
                bytes[2] = (byte) (i % 7);
                bytes[3] = 0x20;
                System.arraycopy("ftypmoov".getBytes(), i % 8 < 4 ? 0 : 4, bytes, 4, 4);
            }
            for (boolean mp4 : new boolean[] {true, false}) {
                try {
                    if (mp4) {
                        MediaLoader.mp4(Path.of("x.mp4"), ByteBuffer.wrap(bytes));
                    } else {
                        MediaLoader.annexB(P, ByteBuffer.wrap(bytes), i % 3 == 0 ? Codec.H265 : Codec.H264, 0);
                    }
                } catch (CodecException expected) {
                    // the one allowed failure
                }
            }
        }
    }

    @Test
    void fileTypesByExtension() {
        assertThat(MediaLoader.codecOf("a.H264")).isEqualTo(Codec.H264);
        assertThat(MediaLoader.codecOf("a.264")).isEqualTo(Codec.H264);
        assertThat(MediaLoader.codecOf("a.hevc")).isEqualTo(Codec.H265);
        assertThat(MediaLoader.codecOf("a.265")).isEqualTo(Codec.H265);
        assertThat(MediaLoader.isMp4("a.MP4")).isTrue();
        assertThat(MediaLoader.supported("a.avi")).isFalse();
    }

    private static int indexOfFirstP(byte[] s) {
        for (int i = 0; i + 4 < s.length; i++) {
            if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 0 && s[i + 3] == 1 && s[i + 4] == 0x41) {
                return i;
            }
        }
        throw new AssertionError("no P slice");
    }
}
