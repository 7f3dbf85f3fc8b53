package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

class DecoderConfigTest {

    private static final ByteBuffer PPS = Bits.of(0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0);

    @Test
    void avcCRoundTrip() throws Exception {
        ByteBuffer sps = H264SpsTest.high1080p();
        ByteBuffer avcC = DecoderConfig.avcC(List.of(sps, PPS, Bits.of(0x06, 1)));
        assertThat(avcC.get(1)).isEqualTo((byte) 100);
        assertThat(avcC.get(4)).isEqualTo((byte) 0xFF);
        DecoderConfig parsed = DecoderConfig.parseAvcC(avcC);
        assertThat(parsed.lengthSize()).isEqualTo(4);
        assertThat(parsed.parameterSets()).containsExactly(sps, PPS);
        // High profile carries the chroma format and bit depth extension.
        assertThat(avcC.remaining()).isEqualTo(7 + 2 + sps.remaining() + 2 + PPS.remaining() + 4);
    }

    @Test
    void hvcCRoundTrip() throws Exception {
        ByteBuffer vps = Bits.of(0x40, 0x01, 0x0C, 0x01, 0xFF, 0xFF);
        ByteBuffer sps = H265SpsTest.main10Sps();
        ByteBuffer pps = Bits.of(0x44, 0x01, 0xC1, 0x72, 0xB4, 0x62, 0x40);
        ByteBuffer hvcC = DecoderConfig.hvcC(List.of(pps, sps, vps));
        assertThat(hvcC.get(1) & 0x1F).isEqualTo(2);
        assertThat(hvcC.get(12) & 0xFF).isEqualTo(120);
        assertThat(hvcC.get(16) & 0x3).isEqualTo(1);
        assertThat(hvcC.get(17) & 0x7).isEqualTo(2);
        assertThat((hvcC.get(21) >> 3) & 0x7).isEqualTo(2);
        DecoderConfig parsed = DecoderConfig.parseHvcC(hvcC);
        assertThat(parsed.lengthSize()).isEqualTo(4);
        assertThat(parsed.parameterSets()).containsExactly(vps, sps, pps);
    }

    @Test
    void missingSetsAndTruncatedRecords() throws Exception {
        assertThatThrownBy(() -> DecoderConfig.avcC(List.of(PPS))).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> DecoderConfig.hvcC(List.of())).isInstanceOf(CodecException.class);
        ByteBuffer avcC = DecoderConfig.avcC(List.of(H264SpsTest.baseline720p(), PPS));
        for (int len = 0; len < avcC.remaining(); len++) {
            ByteBuffer cut = avcC.slice(0, len);
            assertThatThrownBy(() -> DecoderConfig.parseAvcC(cut)).isInstanceOf(CodecException.class);
        }
        assertThatThrownBy(() -> DecoderConfig.parseHvcC(ByteBuffer.allocate(10)))
                .isInstanceOf(CodecException.class);
    }
}
