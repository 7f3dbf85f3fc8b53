package io.flux.media.testing;

import java.io.ByteArrayOutputStream;

/** Writes bit fields and Exp-Golomb codes, to build hand-made parameter sets and slice headers in tests. */
public final class BitWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int cur;
    private int n;

    public BitWriter u(int bits, long value) {
        for (int i = bits - 1; i >= 0; i--) {
            bit((int) (value >>> i) & 1);
        }
        return this;
    }

    public BitWriter flag(boolean f) {
        return bit(f ? 1 : 0);
    }

    public BitWriter ue(int v) {
        long x = v + 1L;
        int len = 64 - Long.numberOfLeadingZeros(x);
        u(len - 1, 0);
        return u(len, x);
    }

    public BitWriter se(int v) {
        return ue(v > 0 ? 2 * v - 1 : -2 * v);
    }

    public BitWriter bit(int b) {
        cur = (cur << 1) | b;
        if (++n == 8) {
            out.write(cur);
            cur = 0;
            n = 0;
        }
        return this;
    }

    /** rbsp_trailing_bits, then the bytes. */
    public byte[] trailing() {
        bit(1);
        while (n != 0) {
            bit(0);
        }
        return out.toByteArray();
    }
}
