package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.List;

import io.flux.media.testing.BitWriter;

import org.junit.jupiter.api.Test;

/** A hand-made H.265 SPS that walks every branch up to the VUI timing information. */
class H265SpsTest {

    static ByteBuffer main10Sps() {
        BitWriter b = new BitWriter().u(4, 0) // vps id
                .u(3, 1) // two sub-layers
                .flag(true)
                // profile_tier_level
                .u(2, 0).flag(false).u(5, 2).u(32, 0x2000_0000L)
                .flag(true).flag(false).flag(false).flag(true).u(32, 0).u(11, 0).flag(false)
                .u(8, 120)
                .flag(true).flag(true) // sub-layer profile and level present
                .u(14, 0) // reserved_zero_2bits for i = 1..7
                .u(32, 0).u(32, 0).u(24, 0) // 88 bits of sub-layer profile
                .u(8, 90)
                .ue(0) // sps id
                .ue(1) // 4:2:0
                .ue(1920).ue(1088)
                .flag(true).ue(0).ue(0).ue(0).ue(4) // conformance window: 8 lines
                .ue(2).ue(2) // 10 bit
                .ue(4) // log2_max_pic_order_cnt_lsb_minus4 -> 8 bits
                .flag(true).ue(4).ue(2).ue(0).ue(5).ue(3).ue(1) // ordering for both sub-layers
                .ue(0).ue(3).ue(0).ue(3).ue(1).ue(1)
                .flag(true).flag(true); // scaling lists with data
        for (int sizeId = 0; sizeId < 4; sizeId++) {
            for (int matrixId = 0; matrixId < 6; matrixId += sizeId == 3 ? 3 : 1) {
                boolean explicit = (sizeId + matrixId) % 2 == 0;
                b.flag(explicit);
                if (!explicit) {
                    b.ue(matrixId > 0 ? 1 : 0);
                } else {
                    if (sizeId > 1) {
                        b.se(4);
                    }
                    int coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
                    for (int i = 0; i < coefNum; i++) {
                        b.se(i % 5 - 2);
                    }
                }
            }
        }
        b.flag(true).flag(true) // amp, sao
                .flag(true).u(4, 7).u(4, 7).ue(0).ue(1).flag(false) // pcm
                .ue(3) // short-term RPS count
                // set 0: S0 = {-1, -2}, S1 = {+1}
                .ue(2).ue(1).ue(0).flag(true).ue(0).flag(true).ue(0).flag(true)
                // set 1, predicted from set 0 with deltaRps = +1: four entries, all used.
                // Derived: S0 = {-1}, S1 = {+1, +2} (the entry landing on 0 disappears): 3 pictures.
                .flag(true).u(1, 0).ue(0).flag(true).flag(true).flag(true).flag(true)
                // set 2, predicted from set 1 with deltaRps = -1: 3 + 1 entries, the last one unused.
                .flag(true).u(1, 1).ue(0).flag(true).flag(true).flag(true).flag(false).flag(false)
                .flag(true).ue(2).u(8, 17).flag(true).u(8, 33).flag(false) // long-term pictures
                .flag(true).flag(true) // temporal mvp, strong intra smoothing
                .flag(true) // vui
                .flag(true).u(8, 1)
                .flag(false)
                .flag(true).u(3, 5).flag(false).flag(true).u(8, 9).u(8, 16).u(8, 9)
                .flag(false)
                .flag(false).flag(false).flag(false)
                .flag(true).ue(0).ue(0).ue(0).ue(0)
                .flag(true).u(32, 1001).u(32, 60000);
        return Bits.nal2(H265.NAL_SPS, b.trailing());
    }

    @Test
    void parsesEverythingUpToTheTiming() throws Exception {
        ByteBuffer sps = main10Sps();
        SpsInfo info = H265.parseSps(sps);
        assertThat(info.width()).isEqualTo(1920);
        assertThat(info.height()).isEqualTo(1080);
        assertThat(info.profile()).isEqualTo("Main 10");
        assertThat(info.level()).isEqualTo(120);
        assertThat(info.chromaFormat()).isEqualTo(1);
        assertThat(info.bitDepth()).isEqualTo(10);
        assertThat(info.frameRate()).isCloseTo(59.94, within(0.001));
        assertThat(H265.parameterSetId(sps)).isZero();
        H265.ProfileTierLevel ptl = H265.parseProfileTierLevel(sps);
        assertThat(ptl.profileIdc()).isEqualTo(2);
        assertThat(ptl.constraintFlags()).isEqualTo(0x9000_0000_0000L);
    }

    @Test
    void emulationPreventionIsRemovedBeforeParsing() {
        // The all-zero constraint flags force 00 00 03 sequences into the NAL unit.
        ByteBuffer sps = main10Sps();
        ByteBuffer rbsp = NalUnits.unescape(sps);
        assertThat(rbsp.remaining()).isLessThan(sps.remaining());
    }

    @Test
    void everyTruncationIsACodecExceptionOrTheSameSize() {
        ByteBuffer full = main10Sps();
        int parsed = 0;
        for (int len = 0; len < full.remaining(); len++) {
            try {
                SpsInfo info = H265.parseSps(full.slice(0, len));
                assertThat(info.width()).isEqualTo(1920);
                assertThat(info.frameRate()).isZero();
                parsed++;
            } catch (CodecException expected) {
                // fine
            }
        }
        assertThat(parsed).isPositive();
    }

    @Test
    void profileFromCompatibilityFlags() {
        assertThat(H265.profileName(new H265.ProfileTierLevel(0, false, 0, 0x4000_0000L, 0, 93)))
                .isEqualTo("Main");
        assertThat(H265.profileName(new H265.ProfileTierLevel(0, false, 4, 0, 0, 93))).isEqualTo("Rext");
        assertThat(H265.profileName(new H265.ProfileTierLevel(0, false, 0, 0, 0, 93))).isEqualTo("Unknown (0)");
    }

    @Test
    void rejectsWrongTypesAndShortInput() {
        assertThatThrownBy(() -> H265.parseSps(Bits.nal2(H265.NAL_PPS, new byte[20])))
                .isInstanceOf(CodecException.class).hasMessageContaining("not an SPS");
        assertThatThrownBy(() -> H265.parseSps(Bits.of(0x42, 0x01))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> H265.parameterSetId(Bits.of(0x26, 0x01, 0xAF)))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void nalHeaderHelpers() {
        ByteBuffer idr = Bits.of(0x26, 0x01, 0xAF);
        ByteBuffer cra = Bits.of(0x2A, 0x01, 0xAF);
        ByteBuffer trail = Bits.of(0x02, 0x01, 0x50);
        assertThat(H265.nalType(idr)).isEqualTo(H265.NAL_IDR_W_RADL);
        assertThat(H265.layerId(Bits.of(0x40, 0x09))).isEqualTo(1);
        assertThat(H265.nalType(Bits.of(0x40))).isEqualTo(-1);
        assertThat(H265.isKeyframe(List.of(Bits.of(0x40, 0x01), idr))).isTrue();
        assertThat(H265.isKeyframe(List.of(cra))).isTrue();
        assertThat(H265.isKeyframe(List.of(trail))).isFalse();
        assertThat(H265.isParameterSet(Bits.of(0x40, 0x01))).isTrue();
        assertThat(H265.isParameterSet(Bits.of(0x44, 0x01))).isTrue();
        assertThat(H265.isParameterSet(trail)).isFalse();
        assertThat(H265.isFirstSliceOfPicture(idr)).isTrue();
        assertThat(H265.isFirstSliceOfPicture(trail)).isFalse();
    }
}
