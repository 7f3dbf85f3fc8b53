package io.flux.media.mpegps.internal;

import java.nio.ByteBuffer;

/**
 * Assembles frames back to back in large arrays, so that each frame's bytes are copied once, from the network
 * buffer straight to where the emitted sample reads them. Emitted frames are slices of the array; bytes already
 * emitted are never written again, and a frame that does not fit the rest of the array moves to a new one. A
 * frame larger than the slab size gets an array of its own, grown geometrically up to the cap.
 */
public final class Slab {

    private final int slabSize;
    private final int cap;
    private byte[] buf;
    private int start;
    private int length;

    /**
     * @param slabSize size of the arrays frames are assembled in
     * @param cap      largest frame; appends beyond it fail
     */
    public Slab(int slabSize, int cap) {
        this.slabSize = slabSize;
        this.cap = cap;
    }

    /** Bytes of the frame being assembled. */
    public int length() {
        return length;
    }

    /** Appends {@code n} bytes of {@code src} from absolute index {@code off}; false when the cap would be passed. */
    public boolean append(ByteBuffer src, int off, int n) {
        if (!ensure(n)) {
            return false;
        }
        src.get(off, buf, start + length, n);
        length += n;
        return true;
    }

    /** Appends {@code n} bytes of {@code src} from {@code off}; false when the cap would be passed. */
    public boolean append(byte[] src, int off, int n) {
        if (!ensure(n)) {
            return false;
        }
        System.arraycopy(src, off, buf, start + length, n);
        length += n;
        return true;
    }

    /** Byte {@code i} of the frame being assembled. */
    public int get(int i) {
        return buf[start + i] & 0xFF;
    }

    /** A transient view of part of the frame being assembled; not to be handed out (the bytes may be rewritten). */
    public ByteBuffer view(int off, int n) {
        return ByteBuffer.wrap(buf, start + off, n).slice();
    }

    /** Hands out the first {@code n} bytes as a slice that is never written again. */
    public ByteBuffer take(int n) {
        ByteBuffer out = ByteBuffer.wrap(buf, start, n).slice();
        start += n;
        length -= n;
        return out;
    }

    /** Discards the first {@code n} bytes. */
    public void skip(int n) {
        start += n;
        length -= n;
    }

    /** Discards the frame being assembled; its space is reused. */
    public void clear() {
        length = 0;
    }

    private boolean ensure(int n) {
        long need = (long) length + n;
        if (need > cap) {
            return false;
        }
        if (buf != null && start + need <= buf.length) {
            return true;
        }
        int size;
        if (need <= slabSize) {
            size = slabSize;
        } else {
            size = (int) Math.min(cap, Math.max(need, 2L * Math.max(length, slabSize)));
        }
        byte[] next = new byte[size];
        if (length > 0) {
            System.arraycopy(buf, start, next, 0, length);
        }
        buf = next;
        start = 0;
        return true;
    }
}
