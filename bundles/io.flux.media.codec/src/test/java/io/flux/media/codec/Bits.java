package io.flux.media.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Writes bit fields and Exp-Golomb codes, to build hand-made parameter sets. */
final class Bits {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int cur;
    private int n;

    Bits u(int bits, long value) {
        for (int i = bits - 1; i >= 0; i--) {
            bit((int) (value >>> i) & 1);
        }
        return this;
    }

    Bits flag(boolean f) {
        return bit(f ? 1 : 0);
    }

    Bits ue(int v) {
        long x = v + 1L;
        int len = 64 - Long.numberOfLeadingZeros(x);
        u(len - 1, 0);
        return u(len, x);
    }

    Bits se(int v) {
        return ue(v > 0 ? 2 * v - 1 : -2 * v);
    }

    Bits bit(int b) {
        cur = (cur << 1) | b;
        if (++n == 8) {
            out.write(cur);
            cur = 0;
            n = 0;
        }
        return this;
    }

    /** rbsp_trailing_bits, then the bytes. */
    byte[] trailing() {
        bit(1);
        while (n != 0) {
            bit(0);
        }
        return out.toByteArray();
    }

    static ByteBuffer nal(int header, byte[] rbsp) {
        ByteBuffer b = ByteBuffer.allocate(rbsp.length + 1);
        b.put((byte) header).put(rbsp);
        return NalUnits.escape(b.flip());
    }

    static ByteBuffer nal2(int type, byte[] rbsp) {
        ByteBuffer b = ByteBuffer.allocate(rbsp.length + 2);
        b.put((byte) (type << 1)).put((byte) 1).put(rbsp);
        return NalUnits.escape(b.flip());
    }

    static ByteBuffer of(int... bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.length);
        for (int x : bytes) {
            b.put((byte) x);
        }
        return b.flip();
    }
}
