package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * NAL unit framing: Annex B (start-code delimited) and length-prefixed (MP4, avcC/hvcC), and emulation
 * prevention. Returned NAL units are slices of the input without start codes or length prefixes.
 */
public final class NalUnits {

    private static final byte[] START_CODE = {0, 0, 0, 1};

    private NalUnits() {
    }

    /**
     * Splits an Annex B buffer (position to limit) into NAL units, accepting 3- and 4-byte start codes.
     * Bytes before the first start code are ignored; trailing zero bytes of a NAL unit (the zero_byte of the
     * next 4-byte start code, trailing_zero_8bits) are dropped; empty NAL units are skipped. Input without any
     * start code gives an empty list.
     */
    public static List<ByteBuffer> splitAnnexB(ByteBuffer au) {
        List<ByteBuffer> out = new ArrayList<>(4);
        int limit = au.limit();
        int sc = findStartCode(au, au.position(), limit);
        while (sc >= 0) {
            int nalStart = sc + 3;
            int next = findStartCode(au, nalStart, limit);
            int end = next >= 0 ? next : limit;
            while (end > nalStart && au.get(end - 1) == 0) {
                end--;
            }
            if (end > nalStart) {
                out.add(au.slice(nalStart, end - nalStart));
            }
            sc = next;
        }
        return out;
    }

    /**
     * Index of the next {@code 00 00 01} at or after {@code from} whose three bytes end before {@code limit},
     * or -1. Absolute indexes into {@code buf}.
     */
    public static int findStartCode(ByteBuffer buf, int from, int limit) {
        int i = from;
        int last = limit - 3;
        while (i <= last) {
            byte b2 = buf.get(i + 2);
            if (b2 > 1 || b2 < 0) {
                // No start code can end at i+2, nor straddle it: jump past it.
                i += 3;
            } else if (b2 == 0) {
                i += 1;
            } else if (buf.get(i + 1) == 0 && buf.get(i) == 0) {
                return i;
            } else {
                i += 3;
            }
        }
        return -1;
    }

    /** True when the buffer (from its position) starts with a 3- or 4-byte start code. */
    public static boolean isAnnexB(ByteBuffer buf) {
        int p = buf.position();
        int n = buf.remaining();
        if (n >= 3 && buf.get(p) == 0 && buf.get(p + 1) == 0) {
            if (buf.get(p + 2) == 1) {
                return true;
            }
            return n >= 4 && buf.get(p + 2) == 0 && buf.get(p + 3) == 1;
        }
        return false;
    }

    /**
     * Splits length-prefixed NAL units (as in MP4 samples). Zero-length units are skipped.
     *
     * @param lengthSize 1, 2, 3 or 4 bytes of big-endian length before each unit
     * @throws CodecException when a length runs past the end of the buffer
     */
    public static List<ByteBuffer> splitLengthPrefixed(ByteBuffer buf, int lengthSize) throws CodecException {
        checkLengthSize(lengthSize);
        List<ByteBuffer> out = new ArrayList<>(4);
        int p = buf.position();
        int limit = buf.limit();
        while (p < limit) {
            if (limit - p < lengthSize) {
                throw new CodecException("truncated NAL length prefix at offset " + (p - buf.position()));
            }
            long len = 0;
            for (int i = 0; i < lengthSize; i++) {
                len = (len << 8) | (buf.get(p + i) & 0xFF);
            }
            p += lengthSize;
            if (len > limit - p) {
                throw new CodecException("NAL length " + len + " exceeds the remaining " + (limit - p) + " bytes");
            }
            if (len > 0) {
                out.add(buf.slice(p, (int) len));
            }
            p += (int) len;
        }
        return out;
    }

    /** Joins NAL units into one Annex B buffer with 4-byte start codes (a new heap buffer, ready to read). */
    public static ByteBuffer toAnnexB(List<ByteBuffer> nals) {
        int size = 0;
        for (ByteBuffer n : nals) {
            size += 4 + n.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer n : nals) {
            out.put(START_CODE).put(n.duplicate());
        }
        return out.flip();
    }

    /**
     * Joins NAL units with big-endian length prefixes (a new heap buffer, ready to read).
     *
     * @throws IllegalArgumentException for a length size other than 1-4 or a unit too long for it
     */
    public static ByteBuffer toLengthPrefixed(List<ByteBuffer> nals, int lengthSize) {
        checkLengthSizeArg(lengthSize);
        long max = lengthSize == 4 ? 0xFFFF_FFFFL : (1L << (8 * lengthSize)) - 1;
        int size = 0;
        for (ByteBuffer n : nals) {
            if (n.remaining() > max) {
                throw new IllegalArgumentException("NAL unit of " + n.remaining() + " bytes does not fit a "
                        + lengthSize + "-byte length");
            }
            size += lengthSize + n.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer n : nals) {
            int len = n.remaining();
            for (int i = lengthSize - 1; i >= 0; i--) {
                out.put((byte) (len >>> (8 * i)));
            }
            out.put(n.duplicate());
        }
        return out.flip();
    }

    /**
     * Removes emulation prevention bytes ({@code 00 00 03} becomes {@code 00 00}), giving the RBSP. Returns
     * a slice of the input when there is nothing to remove, else a new heap buffer.
     */
    public static ByteBuffer unescape(ByteBuffer nal) {
        int p = nal.position();
        int limit = nal.limit();
        int first = -1;
        for (int i = p + 2; i < limit; i++) {
            if (nal.get(i) == 3 && nal.get(i - 1) == 0 && nal.get(i - 2) == 0) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return nal.slice();
        }
        byte[] out = new byte[limit - p];
        int o = 0;
        int zeros = 0;
        for (int i = p; i < limit; i++) {
            byte b = nal.get(i);
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            out[o++] = b;
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return ByteBuffer.wrap(out, 0, o).slice();
    }

    /** Adds emulation prevention bytes to an RBSP, the inverse of {@link #unescape(ByteBuffer)}. */
    public static ByteBuffer escape(ByteBuffer rbsp) {
        int p = rbsp.position();
        int limit = rbsp.limit();
        ByteBuffer out = ByteBuffer.allocate(rbsp.remaining() + rbsp.remaining() / 2 + 1);
        int zeros = 0;
        for (int i = p; i < limit; i++) {
            byte b = rbsp.get(i);
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                out.put((byte) 3);
                zeros = 0;
            }
            out.put(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.flip();
    }

    static void checkLengthSize(int lengthSize) throws CodecException {
        if (lengthSize < 1 || lengthSize > 4) {
            throw new CodecException("NAL length size must be 1-4, not " + lengthSize);
        }
    }

    private static void checkLengthSizeArg(int lengthSize) {
        if (lengthSize < 1 || lengthSize > 4) {
            throw new IllegalArgumentException("NAL length size must be 1-4, not " + lengthSize);
        }
    }
}
