package io.flux.media.recording.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer for writing ISO BMFF boxes. {@link #begin(String)} reserves a box header and
 * {@link #end(int)} patches its size once the content is known.
 */
final class BoxBuffer {

    private byte[] buf;
    private int pos;

    BoxBuffer(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    int position() {
        return pos;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    void reset() {
        pos = 0;
    }

    /** The backing array (valid up to {@link #position()}) until the next write or {@link #reset()}. */
    byte[] array() {
        return buf;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) pos + more);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("box buffer larger than 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    BoxBuffer u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    BoxBuffer u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    BoxBuffer u24(int v) {
        ensure(3);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    BoxBuffer u32(long v) {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    BoxBuffer u64(long v) {
        u32(v >>> 32);
        return u32(v & 0xFFFF_FFFFL);
    }

    BoxBuffer zeros(int n) {
        ensure(n);
        Arrays.fill(buf, pos, pos + n, (byte) 0);
        pos += n;
        return this;
    }

    BoxBuffer fourcc(String type) {
        if (type.length() != 4) {
            throw new IllegalArgumentException("four-character code expected: " + type);
        }
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[pos++] = (byte) type.charAt(i);
        }
        return this;
    }

    BoxBuffer bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    BoxBuffer bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        return this;
    }

    /** Copies the buffer's remaining bytes without moving its position. */
    BoxBuffer bytes(ByteBuffer b) {
        int len = b.remaining();
        ensure(len);
        b.duplicate().get(buf, pos, len);
        pos += len;
        return this;
    }

    BoxBuffer ascii(String s) {
        return bytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Starts a box; returns its offset for {@link #end(int)}. */
    int begin(String type) {
        int start = pos;
        u32(0);
        fourcc(type);
        return start;
    }

    /** Starts a full box (version and flags). */
    int beginFull(String type, int version, int flags) {
        int start = begin(type);
        u8(version);
        u24(flags);
        return start;
    }

    void end(int start) {
        putU32(start, pos - start);
    }

    void putU32(int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }
}
