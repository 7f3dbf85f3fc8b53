package io.flux.media.mpegps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SlabTest {

    @Test
    void framesTakenAreNeverOverwritten() {
        Random random = new Random(1);
        Slab slab = new Slab(4096, 1 << 20);
        List<ByteBuffer> taken = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] frame = new byte[random.nextInt(i % 50 == 0 ? 20_000 : 1500)];
            random.nextBytes(frame);
            for (int off = 0; off < frame.length;) {
                int n = Math.min(frame.length - off, 1 + random.nextInt(700));
                assertThat(slab.append(ByteBuffer.wrap(frame), off, n)).isTrue();
                off += n;
            }
            if (random.nextInt(10) == 0) {
                slab.clear(); // dropped: its space is reused
                continue;
            }
            assertThat(slab.length()).isEqualTo(frame.length);
            taken.add(slab.take(frame.length));
            expected.add(frame);
        }
        for (int i = 0; i < taken.size(); i++) {
            assertThat(taken.get(i)).isEqualTo(ByteBuffer.wrap(expected.get(i)));
        }
    }

    @Test
    void theCapIsEnforced() {
        Slab slab = new Slab(4096, 10_000);
        byte[] b = new byte[6000];
        assertThat(slab.append(b, 0, 6000)).isTrue();
        assertThat(slab.append(b, 0, 4000)).isTrue();
        assertThat(slab.append(b, 0, 1)).isFalse();
        assertThat(slab.length()).isEqualTo(10_000);
        slab.skip(1000);
        assertThat(slab.length()).isEqualTo(9000);
        assertThat(slab.get(0)).isZero();
    }
}
