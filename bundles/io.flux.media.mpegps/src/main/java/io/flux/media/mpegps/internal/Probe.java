package io.flux.media.mpegps.internal;

import java.nio.ByteBuffer;
import java.util.List;

import io.flux.media.api.sample.Codec;
import io.flux.media.codec.NalUnits;

/** Guesses the codec of a PES payload when no program stream map names it. */
public final class Probe {

    private static final int MAX_NALS = 16;

    private Probe() {
    }

    /**
     * H.264 or H.265 from the NAL unit headers of an Annex B access unit, or null when nothing decisive is found.
     * An H.265 header has a zero layer id and a non-zero temporal id, which H.264 parameter sets, slices and
     * delimiters never look like (their second byte has high bits set, or their first byte is odd); only types
     * that both codecs leave reserved could be confused, and those are not looked at.
     */
    public static Codec video(ByteBuffer annexB) {
        List<ByteBuffer> nals = NalUnits.splitAnnexB(annexB);
        for (int i = 0, n = Math.min(nals.size(), MAX_NALS); i < n; i++) {
            ByteBuffer nal = nals.get(i);
            if (nal.remaining() < 2) {
                continue;
            }
            int b0 = nal.get(nal.position()) & 0xFF;
            int b1 = nal.get(nal.position() + 1) & 0xFF;
            if ((b0 & 0x80) != 0) {
                continue;
            }
            boolean hevcHeader = (b0 & 0x01) == 0 && (b1 & 0xF8) == 0 && (b1 & 0x07) != 0;
            int hevcType = (b0 >> 1) & 0x3F;
            if (hevcHeader && ((hevcType >= 16 && hevcType <= 21) || (hevcType >= 32 && hevcType <= 35)
                    || hevcType == 39)) {
                return Codec.H265;
            }
            int avcType = b0 & 0x1F;
            if (avcType == 1 || (avcType >= 5 && avcType <= 9)) {
                return Codec.H264;
            }
        }
        return null;
    }

    /** True when the bytes start with an ADTS sync word (layer 0). */
    public static boolean adts(int b0, int b1) {
        return b0 == 0xFF && (b1 & 0xF6) == 0xF0;
    }
}
