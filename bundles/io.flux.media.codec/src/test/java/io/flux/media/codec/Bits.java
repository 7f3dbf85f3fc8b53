package io.flux.media.codec;

import java.nio.ByteBuffer;

/** Wraps RBSP written with {@link io.flux.media.testing.BitWriter} into escaped NAL units. */
final class Bits {

    private Bits() {
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
