package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RtpReorderBufferTest {

    final List<Integer> out = new ArrayList<>();
    final List<Integer> gaps = new ArrayList<>();
    final RtpReorderBuffer.Output output = (p, discontinuity) -> {
        out.add(p.sequenceNumber());
        if (discontinuity) {
            gaps.add(p.sequenceNumber());
        }
        // The payload is readable during the call whether the packet was held or not.
        assertThat(p.payload().get(0)).isEqualTo((byte) p.sequenceNumber());
    };

    /** A packet in a buffer the caller reuses: overwritten right after offer() returns. */
    void offer(RtpReorderBuffer buffer, int seq) {
        byte[] bytes = RtpPacket.encode(96, false, seq & 0xFFFF, 0, 1, ByteBuffer.wrap(new byte[] {(byte) seq}))
                .array();
        buffer.offer((RtpPacket) RtpPacket.parse(ByteBuffer.wrap(bytes)), output);
        java.util.Arrays.fill(bytes, (byte) 0xEE);
    }

    static List<Integer> range(int from, int count) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            l.add((from + i) & 0xFFFF);
        }
        return l;
    }

    @Test
    void inOrderPacketsPassStraightThrough() {
        RtpReorderBuffer b = new RtpReorderBuffer(8);
        for (int s : range(65_530, 20)) {
            offer(b, s);
            assertThat(b.held()).isZero();
        }
        assertThat(out).isEqualTo(range(65_530, 20));
        assertThat(gaps).isEmpty();
        assertThat(b.received()).isEqualTo(20);
        assertThat(b.delivered()).isEqualTo(20);
        assertThat(b.lost() + b.late() + b.duplicates() + b.outOfRange() + b.restarts()).isZero();
    }

    @Test
    void shuffledWithinTheWindowComesOutInOrderAcrossTheWrapAround() {
        Random random = new Random(3);
        for (int window : new int[] {4, 16, 64}) {
            out.clear();
            RtpReorderBuffer b = new RtpReorderBuffer(window);
            List<Integer> seqs = range(65_000, 3_000);
            // Displace packets by less than the window: shuffle blocks of window/2 after the first.
            for (int from = 1; from < seqs.size(); from += window / 2) {
                Collections.shuffle(seqs.subList(from, Math.min(seqs.size(), from + window / 2)), random);
            }
            for (int s : seqs) {
                offer(b, s);
                assertThat(b.held()).isLessThanOrEqualTo(window);
            }
            b.flush(output);
            assertThat(out).isEqualTo(range(65_000, 3_000));
            assertThat(b.lost() + b.late() + b.duplicates()).isZero();
        }
    }

    @Test
    void aMissingPacketIsDeclaredLostOnceTheWindowIsFull() {
        RtpReorderBuffer b = new RtpReorderBuffer(4);
        offer(b, 10);
        for (int s = 12; s <= 15; s++) {
            offer(b, s);
        }
        assertThat(out).containsExactly(10);
        assertThat(b.held()).isEqualTo(4);
        offer(b, 16); // 11 would need a fifth held packet
        assertThat(out).containsExactly(10, 12, 13, 14, 15, 16);
        assertThat(gaps).containsExactly(12);
        assertThat(b.lost()).isEqualTo(1);
        offer(b, 11);
        assertThat(b.late()).isEqualTo(1);
        offer(b, 14);
        assertThat(b.duplicates()).isEqualTo(1);
        assertThat(out).hasSize(6);
    }

    @Test
    void numbersMoreThanTheWindowBehindTheNewestAreLostAtOnce() {
        RtpReorderBuffer b = new RtpReorderBuffer(8);
        offer(b, 65_535);
        offer(b, 100); // across the wrap-around: 0..91 are lost now, 92..99 may still come
        assertThat(out).containsExactly(65_535);
        assertThat(b.lost()).isEqualTo(92);
        assertThat(b.held()).isEqualTo(1);
        offer(b, 50);
        assertThat(b.late()).isEqualTo(1);
        for (int s = 92; s < 100; s++) {
            offer(b, s);
        }
        assertThat(out).isEqualTo(List.of(65_535, 92, 93, 94, 95, 96, 97, 98, 99, 100));
        assertThat(gaps).containsExactly(92);
        assertThat(b.lost()).isEqualTo(92);
        assertThat(b.held()).isZero();
    }

    @Test
    void duplicatesOfHeldAndDeliveredPacketsAreDropped() {
        RtpReorderBuffer b = new RtpReorderBuffer(8);
        offer(b, 1);
        offer(b, 3);
        offer(b, 3);
        offer(b, 1);
        offer(b, 2);
        assertThat(out).containsExactly(1, 2, 3);
        assertThat(b.duplicates()).isEqualTo(2);
        assertThat(b.lost()).isZero();
    }

    @Test
    void flushDeliversWhatIsHeldCountingTheHoles() {
        RtpReorderBuffer b = new RtpReorderBuffer(16);
        offer(b, 1);
        offer(b, 4);
        offer(b, 6);
        assertThat(out).containsExactly(1);
        b.flush(output);
        assertThat(out).containsExactly(1, 4, 6);
        assertThat(gaps).containsExactly(4, 6);
        assertThat(b.lost()).isEqualTo(3);
        assertThat(b.held()).isZero();
        offer(b, 7);
        assertThat(out).containsExactly(1, 4, 6, 7);
    }

    @Test
    void aSenderRestartIsFollowedWhenConfirmedByTheNextPacket() {
        RtpReorderBuffer b = new RtpReorderBuffer(8);
        for (int s : range(1_000, 5)) {
            offer(b, s);
        }
        offer(b, 40_000); // a stray far-away packet: held back
        offer(b, 1_005);
        assertThat(out).isEqualTo(range(1_000, 6));
        assertThat(b.outOfRange()).isEqualTo(1);
        offer(b, 30_000);
        offer(b, 30_001); // confirmed: the sender restarted its numbering
        offer(b, 30_002);
        assertThat(out.subList(6, out.size())).containsExactly(30_000, 30_001, 30_002);
        assertThat(gaps).containsExactly(30_000);
        assertThat(b.restarts()).isEqualTo(1);
        assertThat(b.lost()).isZero();
        // Far behind the new numbering counts as a restart candidate too, not as late.
        offer(b, 1_006);
        offer(b, 30_003);
        assertThat(b.outOfRange()).isEqualTo(2);
        assertThat(b.late()).isZero();
    }

    @Test
    void windowZeroDeliversAtOnce() {
        RtpReorderBuffer b = new RtpReorderBuffer(0);
        offer(b, 5);
        offer(b, 7);
        offer(b, 6);
        assertThat(out).containsExactly(5, 7);
        assertThat(b.lost()).isEqualTo(1);
        assertThat(b.late()).isEqualTo(1);
    }

    @Test
    void randomLossAndReorderingKeepTheCountsConsistent() {
        Random random = new Random(9);
        RtpReorderBuffer b = new RtpReorderBuffer(32);
        List<Integer> seqs = new ArrayList<>(range(60_000, 20_000));
        seqs.removeIf(s -> s != 60_000 && random.nextInt(50) == 0);
        for (int from = 1; from < seqs.size(); from += 10) {
            Collections.shuffle(seqs.subList(from, Math.min(seqs.size(), from + 10)), random);
        }
        seqs.forEach(s -> offer(b, s));
        b.flush(output);
        int missing = 20_000 - seqs.size();
        assertThat(b.lost()).isEqualTo(missing - countMissingAtTheEnd(seqs));
        assertThat(out).isSortedAccordingTo((x, y) -> Integer.compare(unwrap(x), unwrap(y)));
        assertThat(out).hasSize(seqs.size());
        assertThat(b.late() + b.duplicates()).isZero();
    }

    private static int unwrap(int s) {
        return s < 30_000 ? s + 65_536 : s;
    }

    private static int countMissingAtTheEnd(List<Integer> seqs) {
        int last = seqs.stream().mapToInt(RtpReorderBufferTest::unwrap).max().orElseThrow();
        return 60_000 + 20_000 - 1 - last;
    }

    @Test
    void theWindowIsBounded() {
        assertThatThrownBy(() -> new RtpReorderBuffer(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RtpReorderBuffer(RtpReorderBuffer.MAX_WINDOW + 1))
                .isInstanceOf(IllegalArgumentException.class);
        RtpReorderBuffer b = new RtpReorderBuffer(RtpReorderBuffer.MAX_WINDOW);
        offer(b, 0);
        for (int s = 2; s < 3_000; s++) {
            offer(b, s);
            assertThat(b.held()).isLessThanOrEqualTo(RtpReorderBuffer.MAX_WINDOW);
        }
        assertThat(b.lost()).isEqualTo(1);
    }
}
