package io.flux.media.protocol.replay.internal;

import java.io.ByteArrayOutputStream;

/**
 * Hand-made H.264 Annex B streams: a Constrained Baseline 64x48 SPS with 30 fps timing, a PPS, IDR and P slices
 * whose headers parse (the slice data is filler, not decodable). Keeps the tests independent of ffmpeg.
 */
final class TinyStream {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int cur;
    private int bits;

    private TinyStream() {
    }

    /** {@code frames} pictures, an IDR (with SPS and PPS) every {@code gop}. */
    static byte[] h264(int frames, int gop) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            boolean idr = i % gop == 0;
            if (idr) {
                nal(s, sps());
                nal(s, new byte[] {0x68, (byte) 0xCE, 0x38, (byte) 0x80});
            }
            TinyStream t = new TinyStream();
            t.ue(0).ue(idr ? 7 : 5).ue(0).u(4, i % gop % 16);
            if (idr) {
                t.ue(0);
            }
            byte[] header = t.trailing();
            byte[] slice = new byte[header.length + 1 + 8];
            slice[0] = (byte) (idr ? 0x65 : 0x41);
            System.arraycopy(header, 0, slice, 1, header.length);
            for (int k = header.length + 1; k < slice.length; k++) {
                slice[k] = (byte) (0x11 * (i % 15 + 1));
            }
            nal(s, slice);
        }
        return s.toByteArray();
    }

    static byte[] sps() {
        TinyStream t = new TinyStream();
        t.u(8, 66).u(8, 0xC0).u(8, 30).ue(0).ue(0).ue(2).ue(1).u(1, 0).ue(3).ue(2).u(1, 1).u(1, 1).u(1, 0)
                .u(1, 1) // vui
                .u(1, 0).u(1, 0).u(1, 0).u(1, 0)
                .u(1, 1).u(32, 1).u(32, 60).u(1, 1); // 30 fps
        byte[] body = t.trailing();
        byte[] nal = new byte[body.length + 1];
        nal[0] = 0x67;
        System.arraycopy(body, 0, nal, 1, body.length);
        return nal;
    }

    private static void nal(ByteArrayOutputStream s, byte[] nal) {
        s.write(0);
        s.write(0);
        s.write(0);
        s.write(1);
        s.writeBytes(nal);
    }

    private TinyStream u(int n, long v) {
        for (int i = n - 1; i >= 0; i--) {
            cur = (cur << 1) | (int) ((v >>> i) & 1);
            if (++bits == 8) {
                out.write(cur);
                cur = 0;
                bits = 0;
            }
        }
        return this;
    }

    private TinyStream ue(int v) {
        long x = v + 1L;
        int len = 64 - Long.numberOfLeadingZeros(x);
        u(len - 1, 0);
        return u(len, x);
    }

    private byte[] trailing() {
        u(1, 1);
        while (bits != 0) {
            u(1, 0);
        }
        return out.toByteArray();
    }
}
