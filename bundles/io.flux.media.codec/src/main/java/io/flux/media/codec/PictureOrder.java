package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Picture order counts of the access units of one stream, fed in decoding order: what a raw Annex B stream
 * (which has no timestamps) needs to derive presentation order when it has B-frames. Remembers the
 * parameter sets it is fed. H.264 POC types 0 and 2 and H.265 are derived as the standards say (memory
 * management operation 5 aside); H.264 POC type 1 is reported in decoding order. Not thread-safe.
 */
public final class PictureOrder {

    private final boolean hevc;
    private final ByteBuffer[] spsById;
    private final ByteBuffer[] ppsById;
    private H264.Sps lastSps264;
    private H265.Sps lastSps265;
    private ByteBuffer lastSpsNal;
    private boolean reset;
    private int prevPocMsb;
    private int prevPocLsb;
    private int prevFrameNum;
    private int prevFrameNumOffset;
    private int decodeCount;
    private boolean first = true;

    private PictureOrder(boolean hevc) {
        this.hevc = hevc;
        this.spsById = new ByteBuffer[hevc ? 16 : 32];
        this.ppsById = new ByteBuffer[hevc ? 64 : 256];
    }

    public static PictureOrder h264() {
        return new PictureOrder(false);
    }

    public static PictureOrder h265() {
        return new PictureOrder(true);
    }

    /** True when the access unit last passed to {@link #next} restarted picture order counting. */
    public boolean restarted() {
        return reset;
    }

    /**
     * The POC of the next access unit (its NAL units, parameter sets included or seen before).
     *
     * @throws CodecException when its slice header or a parameter set it refers to is missing or corrupt
     */
    public int next(List<ByteBuffer> nals) throws CodecException {
        ByteBuffer slice = null;
        for (ByteBuffer nal : nals) {
            int type = hevc ? H265.nalType(nal) : H264.nalType(nal);
            if (hevc ? type == H265.NAL_SPS : type == H264.NAL_SPS) {
                spsById[hevc ? H265.parameterSetId(nal) : H264.parameterSetId(nal)] = nal;
            } else if (hevc ? type == H265.NAL_PPS : type == H264.NAL_PPS) {
                ppsById[hevc ? H265.parameterSetId(nal) : H264.parameterSetId(nal)] = nal;
            } else if (slice == null && (hevc ? H265.isVcl(type) : H264.isVcl(type))) {
                slice = nal;
            }
        }
        if (slice == null) {
            throw new CodecException("access unit without a slice");
        }
        int poc = hevc ? poc265(slice) : poc264(slice);
        decodeCount++;
        first = false;
        return poc;
    }

    private ByteBuffer pps(int id) throws CodecException {
        ByteBuffer pps = id < ppsById.length ? ppsById[id] : null;
        if (pps == null) {
            throw new CodecException("slice refers to unknown PPS " + id);
        }
        return pps;
    }

    private ByteBuffer sps(int id) throws CodecException {
        ByteBuffer sps = id < spsById.length ? spsById[id] : null;
        if (sps == null) {
            throw new CodecException("PPS refers to unknown SPS " + id);
        }
        return sps;
    }

    private int poc264(ByteBuffer slice) throws CodecException {
        int header = slice.get(slice.position()) & 0xFF;
        boolean idr = (header & 0x1F) == H264.NAL_IDR;
        boolean reference = (header & 0x60) != 0;
        BitReader r = new BitReader(NalUnits.unescape(slice.slice(slice.position() + 1, slice.remaining() - 1)));
        r.ue(); // first_mb_in_slice
        r.ue("slice_type", 9);
        int ppsId = r.ue("pic_parameter_set_id", 255);
        ByteBuffer ppsNal = pps(ppsId);
        BitReader p = new BitReader(NalUnits.unescape(ppsNal.slice(ppsNal.position() + 1, ppsNal.remaining() - 1)));
        p.ue();
        int spsId = p.ue("seq_parameter_set_id", 31);
        p.skip(1); // entropy_coding_mode_flag
        boolean bottomFieldPocPresent = p.flag();
        ByteBuffer spsNal = sps(spsId);
        H264.Sps sps = lastSps264 != null && lastSps264.id() == spsId && spsNal == lastSpsNal ? lastSps264
                : H264.sps(spsNal);
        lastSps264 = sps;
        lastSpsNal = spsNal;
        if (sps.separateColourPlane()) {
            r.skip(2);
        }
        int frameNum = r.u(sps.log2MaxFrameNum());
        boolean field = false;
        if (!sps.frameMbsOnly()) {
            field = r.flag();
            if (field) {
                r.skip(1);
            }
        }
        if (idr) {
            r.ue(); // idr_pic_id
        }
        reset = idr;
        switch (sps.pocType()) {
            case 0 -> {
                int lsb = r.u(sps.log2MaxPocLsb());
                if (idr) {
                    prevPocMsb = 0;
                    prevPocLsb = 0;
                }
                int max = 1 << sps.log2MaxPocLsb();
                int msb;
                if (lsb < prevPocLsb && prevPocLsb - lsb >= max / 2) {
                    msb = prevPocMsb + max;
                } else if (lsb > prevPocLsb && lsb - prevPocLsb > max / 2) {
                    msb = prevPocMsb - max;
                } else {
                    msb = prevPocMsb;
                }
                if (reference) {
                    prevPocMsb = msb;
                    prevPocLsb = lsb;
                }
                return msb + lsb;
            }
            case 2 -> {
                int maxFrameNum = 1 << sps.log2MaxFrameNum();
                int offset = idr ? 0 : first ? 0 : prevFrameNum > frameNum ? prevFrameNumOffset + maxFrameNum
                        : prevFrameNumOffset;
                prevFrameNum = frameNum;
                prevFrameNumOffset = offset;
                if (idr) {
                    return 0;
                }
                return reference ? 2 * (offset + frameNum) : 2 * (offset + frameNum) - 1;
            }
            default -> {
                return 2 * decodeCount;
            }
        }
    }

    private int poc265(ByteBuffer slice) throws CodecException {
        int p0 = slice.position();
        int type = (slice.get(p0) >> 1) & 0x3F;
        int temporalId = (slice.get(p0 + 1) & 0x7) - 1;
        BitReader r = new BitReader(NalUnits.unescape(slice.slice(p0 + 2, slice.remaining() - 2)));
        boolean firstSlice = r.flag();
        if (H265.isIrap(type)) {
            r.skip(1); // no_output_of_prior_pics_flag
        }
        int ppsId = r.ue("slice_pic_parameter_set_id", 63);
        ByteBuffer ppsNal = pps(ppsId);
        BitReader p = new BitReader(NalUnits.unescape(ppsNal.slice(ppsNal.position() + 2, ppsNal.remaining() - 2)));
        p.ue();
        int spsId = p.ue("pps_seq_parameter_set_id", 15);
        p.skip(1); // dependent_slice_segments_enabled_flag
        boolean outputFlagPresent = p.flag();
        int extraBits = p.u(3);
        ByteBuffer spsNal = sps(spsId);
        H265.Sps sps = lastSps265 != null && lastSps265.id() == spsId && spsNal == lastSpsNal ? lastSps265
                : H265.sps(spsNal);
        lastSps265 = sps;
        lastSpsNal = spsNal;
        if (!firstSlice) {
            throw new CodecException("access unit does not start with the first slice segment of its picture");
        }
        r.skip(extraBits);
        r.ue("slice_type", 2);
        if (outputFlagPresent) {
            r.skip(1);
        }
        if (sps.separateColourPlane()) {
            r.skip(2);
        }
        boolean idr = type == H265.NAL_IDR_W_RADL || type == H265.NAL_IDR_N_LP;
        // IDR and BLA pictures, and a CRA that starts the stream, restart POC derivation (NoRaslOutputFlag).
        boolean noRaslOutput = idr || (type >= H265.NAL_BLA_W_LP && type <= 18) || (type == H265.NAL_CRA && first);
        reset = noRaslOutput;
        int lsb = idr ? 0 : r.u(sps.log2MaxPocLsb());
        int max = 1 << sps.log2MaxPocLsb();
        int msb;
        if (noRaslOutput) {
            msb = 0;
        } else if (lsb < prevPocLsb && prevPocLsb - lsb >= max / 2) {
            msb = prevPocMsb + max;
        } else if (lsb > prevPocLsb && lsb - prevPocLsb > max / 2) {
            msb = prevPocMsb - max;
        } else {
            msb = prevPocMsb;
        }
        boolean subLayerNonRef = type <= 14 && type % 2 == 0;
        boolean radlOrRasl = type >= 6 && type <= 9;
        if (temporalId == 0 && !subLayerNonRef && !radlOrRasl) {
            prevPocMsb = msb;
            prevPocLsb = lsb;
        }
        return msb + lsb;
    }
}
