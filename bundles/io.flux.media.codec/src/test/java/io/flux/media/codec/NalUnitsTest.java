package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

class NalUnitsTest {

    @Test
    void splitsThreeAndFourByteStartCodesAndDropsTrailingZeros() {
        ByteBuffer au = Bits.of(0xAA, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 0, 0);
        List<ByteBuffer> nals = NalUnits.splitAnnexB(au);
        assertThat(nals).containsExactly(Bits.of(0x67, 1, 2), Bits.of(0x68, 3), Bits.of(0x65, 4, 5));
        assertThat(au.position()).isZero();
        assertThat(au.limit()).isEqualTo(23);
    }

    @Test
    void nalUnitsShareTheCallersMemory() {
        ByteBuffer au = Bits.of(0, 0, 1, 0x65, 7);
        ByteBuffer nal = NalUnits.splitAnnexB(au).get(0);
        au.put(4, (byte) 9);
        assertThat(nal.get(1)).isEqualTo((byte) 9);
    }

    @Test
    void honoursPositionAndLimit() {
        ByteBuffer buf = Bits.of(0, 0, 1, 0x41, 1, 0, 0, 1, 0x41, 2, 0, 0, 1, 0x41, 3);
        buf.position(5).limit(10);
        assertThat(NalUnits.splitAnnexB(buf)).containsExactly(Bits.of(0x41, 2));
    }

    @Test
    void emptyAndStartCodeFreeInputGiveNothing() {
        assertThat(NalUnits.splitAnnexB(ByteBuffer.allocate(0))).isEmpty();
        assertThat(NalUnits.splitAnnexB(Bits.of(1, 2, 3, 4, 5))).isEmpty();
        assertThat(NalUnits.splitAnnexB(Bits.of(0, 0, 1))).isEmpty();
        assertThat(NalUnits.splitAnnexB(Bits.of(0, 0, 1, 0, 0, 1))).isEmpty();
        assertThat(NalUnits.isAnnexB(Bits.of(0, 0, 0, 1, 0x67))).isTrue();
        assertThat(NalUnits.isAnnexB(Bits.of(0, 0, 1, 0x67))).isTrue();
        assertThat(NalUnits.isAnnexB(Bits.of(0, 0, 0, 5, 0x67))).isFalse();
        assertThat(NalUnits.isAnnexB(ByteBuffer.allocate(0))).isFalse();
    }

    @Test
    void findsStartCodesAfterLongZeroRunsAndHighBytes() {
        ByteBuffer buf = Bits.of(0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 1, 0x09, 0xF0);
        assertThat(NalUnits.findStartCode(buf, 0, buf.limit())).isEqualTo(6);
        assertThat(NalUnits.splitAnnexB(buf)).containsExactly(Bits.of(0x09, 0xF0));
    }

    @Test
    void lengthPrefixedRoundTrip() throws Exception {
        List<ByteBuffer> nals = List.of(Bits.of(0x67, 1, 2), Bits.of(0x68, 3), Bits.of(0x65, 4, 5, 6));
        for (int size : new int[] {1, 2, 3, 4}) {
            ByteBuffer framed = NalUnits.toLengthPrefixed(nals, size);
            assertThat(framed.remaining()).isEqualTo(9 + 3 * size);
            assertThat(NalUnits.splitLengthPrefixed(framed, size)).isEqualTo(nals);
        }
        assertThat(NalUnits.splitAnnexB(NalUnits.toAnnexB(nals))).isEqualTo(nals);
        assertThat(NalUnits.toAnnexB(nals).get(3)).isEqualTo((byte) 1);
    }

    @Test
    void truncatedLengthPrefixesAreCodecExceptions() {
        assertThatThrownBy(() -> NalUnits.splitLengthPrefixed(Bits.of(0, 0, 0, 5, 0x65, 1), 4))
                .isInstanceOf(CodecException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> NalUnits.splitLengthPrefixed(Bits.of(0, 0, 0, 1, 0x65, 0, 0), 4))
                .isInstanceOf(CodecException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> NalUnits.splitLengthPrefixed(Bits.of(0xFF, 0xFF, 0xFF, 0xFF, 1), 4))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> NalUnits.splitLengthPrefixed(Bits.of(1, 1), 5))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> NalUnits.toLengthPrefixed(List.of(ByteBuffer.allocate(300)), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zeroLengthInputs() throws Exception {
        assertThat(NalUnits.splitLengthPrefixed(ByteBuffer.allocate(0), 4)).isEmpty();
        assertThat(NalUnits.splitLengthPrefixed(Bits.of(0, 0, 0, 0), 4)).isEmpty();
        assertThat(NalUnits.toAnnexB(List.of()).remaining()).isZero();
        assertThat(NalUnits.unescape(ByteBuffer.allocate(0)).remaining()).isZero();
    }

    @Test
    void emulationPreventionRoundTrip() {
        ByteBuffer rbsp = Bits.of(0x67, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0);
        ByteBuffer escaped = NalUnits.escape(rbsp);
        assertThat(escaped).isEqualTo(Bits.of(0x67, 0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 0, 0));
        assertThat(NalUnits.unescape(escaped)).isEqualTo(rbsp);
        ByteBuffer clean = Bits.of(0x67, 1, 2, 3);
        assertThat(NalUnits.unescape(clean)).isEqualTo(clean);
    }
}
