package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;

import io.flux.media.testing.BitWriter;

import org.junit.jupiter.api.Test;

/** Hand-made H.264 SPS fixtures covering the syntax branches. */
class H264SpsTest {

    /** Constrained Baseline 1280x720, POC type 2, no VUI. */
    static ByteBuffer baseline720p() {
        BitWriter b = new BitWriter().u(8, 66).u(8, 0xC0).u(8, 31)
                .ue(0) // sps id
                .ue(0) // log2_max_frame_num_minus4
                .ue(2) // poc type
                .ue(1) // max_num_ref_frames
                .flag(false)
                .ue(79).ue(44) // 80x45 MBs
                .flag(true) // frame_mbs_only
                .flag(true) // direct_8x8
                .flag(false) // cropping
                .flag(false); // vui
        return Bits.nal(0x67, b.trailing());
    }

    /** High 1920x1080: scaling matrices, POC type 1, cropping, full VUI with 29.97 fps timing. */
    static ByteBuffer high1080p() {
        BitWriter b = new BitWriter().u(8, 100).u(8, 0).u(8, 40)
                .ue(1) // sps id
                .ue(1) // chroma_format_idc 4:2:0
                .ue(0).ue(0) // bit depths
                .flag(false) // qpprime
                .flag(true); // seq_scaling_matrix_present_flag
        for (int i = 0; i < 8; i++) {
            b.flag(i % 2 == 0);
            if (i % 2 == 0) {
                int size = i < 6 ? 16 : 64;
                for (int j = 0; j < size; j++) {
                    b.se(j == 0 ? 8 : (j % 3) - 1);
                }
            }
        }
        b.ue(2) // log2_max_frame_num_minus4
                .ue(1) // poc type 1
                .flag(false).se(-3).se(2).ue(3).se(1).se(-1).se(5)
                .ue(4) // max_num_ref_frames
                .flag(false)
                .ue(119).ue(67) // 120x68 MBs = 1920x1088
                .flag(true).flag(true)
                .flag(true).ue(0).ue(0).ue(0).ue(4) // crop bottom 8 lines
                .flag(true) // vui
                .flag(true).u(8, 255).u(16, 4).u(16, 3) // aspect ratio, extended SAR
                .flag(true).flag(false) // overscan
                .flag(true).u(3, 5).flag(false).flag(true).u(8, 1).u(8, 1).u(8, 1) // signal type
                .flag(true).ue(0).ue(0) // chroma loc
                .flag(true).u(32, 1001).u(32, 60000).flag(true); // timing
        return Bits.nal(0x67, b.trailing());
    }

    @Test
    void parsesBaseline() throws Exception {
        SpsInfo info = H264.parseSps(baseline720p());
        assertThat(info).isEqualTo(new SpsInfo(1280, 720, "Constrained Baseline", 31, 1, 8));
        assertThat(H264.codecString(baseline720p())).isEqualTo("avc1.42C01F");
    }

    @Test
    void parsesScalingMatricesPocType1CroppingAndVui() throws Exception {
        ByteBuffer sps = high1080p();
        SpsInfo info = H264.parseSps(sps);
        assertThat(info.width()).isEqualTo(1920);
        assertThat(info.height()).isEqualTo(1080);
        assertThat(info.profile()).isEqualTo("High");
        assertThat(info.level()).isEqualTo(40);
        assertThat(info.frameRate()).isCloseTo(29.97, within(0.001));
        assertThat(H264.parameterSetId(sps)).isEqualTo(1);
    }

    @Test
    void separateColourPlanesCropInLumaSamples() throws Exception {
        BitWriter b = new BitWriter().u(8, 244).u(8, 0).u(8, 30).ue(0)
                .ue(3).flag(true) // 4:4:4, separate planes: ChromaArrayType 0
                .ue(2).ue(2).flag(false).flag(false)
                .ue(0).ue(0).ue(0).ue(1).flag(false)
                .ue(9).ue(9).flag(true).flag(true)
                .flag(true).ue(1).ue(2).ue(3).ue(4)
                .flag(false);
        SpsInfo info = H264.parseSps(Bits.nal(0x67, b.trailing()));
        assertThat(info).isEqualTo(new SpsInfo(160 - 3, 160 - 7, "High 4:4:4 Predictive", 30, 3, 10));
    }

    @Test
    void fieldCodingDoublesMapUnitsAndCropUnits() throws Exception {
        BitWriter b = new BitWriter().u(8, 77).u(8, 0).u(8, 30).ue(0)
                .ue(0).ue(0).ue(0).ue(1).flag(false)
                .ue(44).ue(17) // 45 MBs wide, 18 map units = 36 MB rows in a frame
                .flag(false).flag(true) // field coding, mbaff
                .flag(true)
                .flag(true).ue(0).ue(0).ue(0).ue(2) // crop 2 * 2 * 2 = 8 lines
                .flag(false);
        SpsInfo info = H264.parseSps(Bits.nal(0x67, b.trailing()));
        assertThat(info.width()).isEqualTo(720);
        assertThat(info.height()).isEqualTo(576 - 8);
        assertThat(info.profile()).isEqualTo("Main");
    }

    @Test
    void everyTruncationIsACodecExceptionOrTheSameSize() throws Exception {
        ByteBuffer full = high1080p();
        for (int len = 0; len < full.remaining(); len++) {
            ByteBuffer cut = full.slice(0, len);
            try {
                SpsInfo info = H264.parseSps(cut);
                // Losing part of the VUI only loses the frame rate.
                assertThat(info.width()).isEqualTo(1920);
                assertThat(info.height()).isEqualTo(1080);
                assertThat(info.frameRate()).isZero();
            } catch (CodecException expected) {
                assertThat(expected).hasMessageNotContaining("null");
            }
        }
        assertThatThrownBy(() -> H264.parseSps(full.slice(0, 6))).isInstanceOf(CodecException.class);
    }

    @Test
    void rejectsOtherNalUnitsAndBadHeaders() {
        assertThatThrownBy(() -> H264.parseSps(Bits.of(0x68, 0xCE, 0x3C, 0x80)))
                .isInstanceOf(CodecException.class).hasMessageContaining("not an SPS");
        ByteBuffer forbidden = baseline720p();
        forbidden.put(0, (byte) (forbidden.get(0) | 0x80));
        assertThatThrownBy(() -> H264.parseSps(forbidden)).isInstanceOf(CodecException.class)
                .hasMessageContaining("forbidden");
        assertThatThrownBy(() -> H264.parseSps(ByteBuffer.allocate(0))).isInstanceOf(CodecException.class);
    }

    @Test
    void overlongExpGolombIsRejected() {
        ByteBuffer sps = Bits.of(0x67, 100, 0, 40, 0, 0, 0, 0, 0, 1);
        assertThatThrownBy(() -> H264.parseSps(sps)).isInstanceOf(CodecException.class);
    }

    @Test
    void outOfRangeFieldsAreRejected() {
        BitWriter b = new BitWriter().u(8, 66).u(8, 0).u(8, 30).ue(32); // sps id > 31
        ByteBuffer sps = Bits.nal(0x67, b.trailing());
        assertThatThrownBy(() -> H264.parseSps(sps)).isInstanceOf(CodecException.class)
                .hasMessageContaining("seq_parameter_set_id");
    }

    @Test
    void nalHeaderHelpers() {
        assertThat(H264.nalType(Bits.of(0x65, 0x88))).isEqualTo(H264.NAL_IDR);
        assertThat(H264.nalRefIdc(Bits.of(0x65))).isEqualTo(3);
        assertThat(H264.nalType(ByteBuffer.allocate(0))).isEqualTo(-1);
        assertThat(H264.isParameterSet(Bits.of(0x68))).isTrue();
        assertThat(H264.isParameterSet(Bits.of(0x65))).isFalse();
        assertThat(H264.isKeyframe(java.util.List.of(Bits.of(0x67), Bits.of(0x68), Bits.of(0x65, 0x88))))
                .isTrue();
        assertThat(H264.isKeyframe(java.util.List.of(Bits.of(0x41, 0x9A)))).isFalse();
        assertThat(H264.isKeyframe(java.util.List.of())).isFalse();
        assertThat(H264.isFirstSliceOfPicture(Bits.of(0x41, 0x9A))).isTrue();
        assertThat(H264.isFirstSliceOfPicture(Bits.of(0x41, 0x40))).isFalse();
        assertThat(H264.isFirstSliceOfPicture(Bits.of(0x67, 0x80))).isFalse();
    }

    @Test
    void profileNamesFollowFfprobe() {
        assertThat(H264.profileName(66, 0)).isEqualTo("Baseline");
        assertThat(H264.profileName(110, 0x10)).isEqualTo("High 10 Intra");
        assertThat(H264.profileName(122, 0)).isEqualTo("High 4:2:2");
        assertThat(H264.profileName(7, 0)).isEqualTo("Unknown (7)");
    }
}
