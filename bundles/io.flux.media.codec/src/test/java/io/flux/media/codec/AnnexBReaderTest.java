package io.flux.media.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AnnexBReaderTest {

    private static final int[] SC = {0, 0, 0, 1};

    private static ByteBuffer stream(int[]... nals) {
        int size = 0;
        for (int[] n : nals) {
            size += 4 + n.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int[] n : nals) {
            for (int x : SC) {
                b.put((byte) x);
            }
            for (int x : n) {
                b.put((byte) x);
            }
        }
        return b.flip();
    }

    private static List<AccessUnit> all(AnnexBReader r) {
        List<AccessUnit> out = new ArrayList<>();
        for (AccessUnit au = r.next(); au != null; au = r.next()) {
            out.add(au);
        }
        return out;
    }

    @Test
    void h264SplitsOnFirstSliceAndParameterSets() {
        ByteBuffer s = stream(
                new int[] {0x67, 0x42}, new int[] {0x68, 0xCE}, new int[] {0x06, 0x05}, // SPS PPS SEI
                new int[] {0x65, 0x88, 1}, new int[] {0x65, 0x40, 2}, // IDR, two slices
                new int[] {0x41, 0x9A, 3}, new int[] {0x41, 0x20, 4}, // P, two slices
                new int[] {0x09, 0xF0}, new int[] {0x41, 0x9A, 5}, // AUD, P
                new int[] {0x41, 0x9A, 6}, new int[] {0x0C, 0xFF}); // P, filler belongs to it
        List<AccessUnit> aus = all(AnnexBReader.h264(s));
        assertThat(aus).hasSize(4);
        assertThat(aus).extracting(AccessUnit::keyframe).containsExactly(true, false, false, false);
        assertThat(aus).extracting(au -> au.nals().size()).containsExactly(5, 2, 2, 2);
        assertThat(aus.get(0).data().get(3)).isEqualTo((byte) 1);
        assertThat(NalUnits.splitAnnexB(aus.get(2).data())).isEqualTo(aus.get(2).nals());
    }

    @Test
    void streamWithoutParameterSetsStillSplits() {
        ByteBuffer s = stream(new int[] {0x41, 0x9A, 1}, new int[] {0x41, 0x9A, 2}, new int[] {0x01, 0x80});
        List<AccessUnit> aus = all(AnnexBReader.h264(s));
        assertThat(aus).hasSize(3);
        assertThat(aus).noneMatch(AccessUnit::keyframe);
    }

    @Test
    void h265SplitsOnFirstSliceSegmentFlag() {
        ByteBuffer s = stream(
                new int[] {0x40, 0x01, 0x0C}, new int[] {0x42, 0x01, 0x01}, new int[] {0x44, 0x01, 0xC1},
                new int[] {0x26, 0x01, 0xAF, 1}, new int[] {0x26, 0x01, 0x20, 2}, // IDR in two segments
                new int[] {0x50, 0x01, 0x11}, // suffix SEI stays with the picture
                new int[] {0x02, 0x01, 0xD0, 3}, new int[] {0x2A, 0x01, 0xAD, 4}); // TRAIL_R, CRA
        List<AccessUnit> aus = all(AnnexBReader.h265(s));
        assertThat(aus).extracting(AccessUnit::keyframe).containsExactly(true, false, true);
        assertThat(aus).extracting(au -> au.nals().size()).containsExactly(6, 1, 1);
    }

    @Test
    void corruptNalUnitsAreLeftOutAndGarbageAroundIsSkipped() {
        ByteBuffer body = stream(new int[] {0xE5, 0x88}, new int[] {0x65, 0x88, 7}, new int[] {0x41, 0x9A});
        ByteBuffer s = ByteBuffer.allocate(body.remaining() + 3);
        s.put((byte) 0x12).put((byte) 0x34).put(body).put((byte) 0x77).flip();
        List<AccessUnit> aus = all(AnnexBReader.h264(s));
        assertThat(aus).hasSize(2);
        assertThat(aus.get(0).nals()).containsExactly(Bits.of(0x65, 0x88, 7));
        assertThat(aus.get(1).nals()).containsExactly(Bits.of(0x41, 0x9A, 0x77));
    }

    @Test
    void onlyParameterSetsOrNothingGiveNoAccessUnits() {
        assertThat(all(AnnexBReader.h264(stream(new int[] {0x67, 0x42}, new int[] {0x68, 0xCE})))).isEmpty();
        assertThat(all(AnnexBReader.h264(ByteBuffer.allocate(0)))).isEmpty();
        assertThat(all(AnnexBReader.h265(Bits.of(0, 0, 1, 0x26)))).isEmpty();
    }

    @Test
    void rewindStartsOver() {
        AnnexBReader r = AnnexBReader.h264(stream(new int[] {0x65, 0x88}, new int[] {0x41, 0x9A}));
        assertThat(all(r)).hasSize(2);
        assertThat(r.next()).isNull();
        r.rewind();
        assertThat(all(r)).hasSize(2);
    }
}
