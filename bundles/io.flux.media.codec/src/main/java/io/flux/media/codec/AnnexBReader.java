package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an Annex B elementary stream (a whole file mapped or read into a buffer) into access units. A new
 * access unit starts, once the current one holds a coded picture, at an access unit delimiter, a parameter
 * set, a prefix SEI or similar, or at a slice that is the first of its picture (first_mb_in_slice == 0 in
 * H.264, first_slice_segment_in_pic_flag in H.265). NAL units with forbidden_zero_bit set are left out of
 * {@link AccessUnit#nals()}; stretches without any coded picture are skipped. Not thread-safe.
 */
public final class AnnexBReader {

    private final ByteBuffer stream;
    private final boolean hevc;
    /** Absolute index of the start code of the next NAL unit to look at, or -1 at the end. */
    private int next;

    /**
     * @param stream the byte stream from its position to its limit; neither is changed
     * @param hevc   true for H.265, false for H.264
     */
    public AnnexBReader(ByteBuffer stream, boolean hevc) {
        this.stream = stream.duplicate();
        this.hevc = hevc;
        rewind();
    }

    public static AnnexBReader h264(ByteBuffer stream) {
        return new AnnexBReader(stream, false);
    }

    public static AnnexBReader h265(ByteBuffer stream) {
        return new AnnexBReader(stream, true);
    }

    /** Starts over from the beginning of the stream. */
    public void rewind() {
        next = NalUnits.findStartCode(stream, stream.position(), stream.limit());
    }

    /** The next access unit, or {@code null} at the end of the stream. */
    public AccessUnit next() {
        int limit = stream.limit();
        while (next >= 0) {
            List<ByteBuffer> nals = new ArrayList<>(4);
            // Keep the zero_byte of a 4-byte start code with the access unit.
            int auStart = next > stream.position() && stream.get(next - 1) == 0 ? next - 1 : next;
            int auEnd = next;
            boolean picture = false;
            boolean keyframe = false;
            int sc = next;
            while (sc >= 0) {
                int nalStart = sc + 3;
                int following = NalUnits.findStartCode(stream, nalStart, limit);
                int end = following >= 0 ? following : limit;
                while (end > nalStart && stream.get(end - 1) == 0) {
                    end--;
                }
                int len = end - nalStart;
                if (len >= (hevc ? 2 : 1) && (stream.get(nalStart) & 0x80) == 0) {
                    ByteBuffer nal = stream.slice(nalStart, len);
                    int type = hevc ? H265.nalType(nal) : H264.nalType(nal);
                    boolean vcl = hevc ? H265.isVcl(type) : H264.isVcl(type);
                    if (picture) {
                        boolean boundary = vcl
                                ? (hevc ? H265.isFirstSliceOfPicture(nal) : H264.isFirstSliceOfPicture(nal))
                                : (hevc ? H265.startsAccessUnit(type) : H264.startsAccessUnit(type));
                        if (boundary) {
                            break;
                        }
                    }
                    nals.add(nal);
                    auEnd = end;
                    if (vcl) {
                        picture = true;
                        keyframe |= hevc ? H265.isIrap(type) : type == H264.NAL_IDR;
                    }
                }
                sc = following;
            }
            next = sc;
            if (picture) {
                return new AccessUnit(stream.slice(auStart, auEnd - auStart), nals, keyframe);
            }
        }
        return null;
    }
}
