package io.flux.media.codec;

import java.nio.ByteBuffer;

/**
 * Reads bits MSB first from a raw byte sequence payload (emulation prevention already removed, see
 * {@link NalUnits#unescape(ByteBuffer)}), with Exp-Golomb codes. Reading past the end throws
 * {@link CodecException}, so parsers on truncated input fail cleanly.
 */
public final class BitReader {

    private final ByteBuffer buf;
    private final int start;
    private final long bitLimit;
    private long bitPos;

    /** Reads {@code buf} from its position to its limit, without changing either. */
    public BitReader(ByteBuffer buf) {
        this.buf = buf;
        this.start = buf.position();
        this.bitLimit = (long) buf.remaining() * 8;
    }

    public long bitsLeft() {
        return bitLimit - bitPos;
    }

    public long bitPosition() {
        return bitPos;
    }

    public boolean flag() throws CodecException {
        return bits(1) == 1;
    }

    /** Reads up to 32 bits as an unsigned value. */
    public long bits(int n) throws CodecException {
        if (n < 0 || n > 32) {
            throw new IllegalArgumentException("bit count " + n);
        }
        if (n > bitLimit - bitPos) {
            throw new CodecException("truncated: needed " + n + " bits at bit " + bitPos + " of " + bitLimit);
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            int b = buf.get(start + (int) (bitPos >>> 3));
            v = (v << 1) | ((b >>> (7 - (int) (bitPos & 7))) & 1);
            bitPos++;
        }
        return v;
    }

    public int u(int n) throws CodecException {
        if (n > 31) {
            throw new IllegalArgumentException("use bits() beyond 31 bits");
        }
        return (int) bits(n);
    }

    public void skip(long n) throws CodecException {
        if (n < 0 || n > bitLimit - bitPos) {
            throw new CodecException("truncated: cannot skip " + n + " bits at bit " + bitPos + " of " + bitLimit);
        }
        bitPos += n;
    }

    /** Unsigned Exp-Golomb ue(v); values up to 2^31-2. */
    public int ue() throws CodecException {
        int zeros = 0;
        while (bits(1) == 0) {
            if (++zeros > 31) {
                throw new CodecException("Exp-Golomb code longer than 32 bits at bit " + bitPos);
            }
        }
        long v = ((1L << zeros) - 1) + bits(zeros);
        if (v > Integer.MAX_VALUE) {
            throw new CodecException("Exp-Golomb value out of range: " + v);
        }
        return (int) v;
    }

    /** Signed Exp-Golomb se(v). */
    public int se() throws CodecException {
        int k = ue();
        return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }

    /** ue(v) that must not exceed {@code max}, naming the field when it does. */
    public int ue(String field, int max) throws CodecException {
        int v = ue();
        if (v > max) {
            throw new CodecException(field + " out of range: " + v + " > " + max);
        }
        return v;
    }
}
