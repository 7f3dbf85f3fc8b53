package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.List;

/** H.264 / AVC NAL units (ITU-T H.264). NAL units are passed without start codes, header byte first. */
public final class H264 {

    public static final int NAL_SLICE = 1;
    public static final int NAL_IDR = 5;
    public static final int NAL_SEI = 6;
    public static final int NAL_SPS = 7;
    public static final int NAL_PPS = 8;
    public static final int NAL_AUD = 9;
    public static final int NAL_END_OF_SEQUENCE = 10;
    public static final int NAL_END_OF_STREAM = 11;
    public static final int NAL_FILLER = 12;

    private H264() {
    }

    /** nal_unit_type (0-31), or -1 for an empty buffer. */
    public static int nalType(ByteBuffer nal) {
        return nal.hasRemaining() ? nal.get(nal.position()) & 0x1F : -1;
    }

    /** nal_ref_idc (0-3), or -1 for an empty buffer. */
    public static int nalRefIdc(ByteBuffer nal) {
        return nal.hasRemaining() ? (nal.get(nal.position()) >> 5) & 0x3 : -1;
    }

    /** True when any NAL unit is an IDR slice. */
    public static boolean isKeyframe(List<ByteBuffer> nals) {
        for (int i = 0, n = nals.size(); i < n; i++) {
            if (nalType(nals.get(i)) == NAL_IDR) {
                return true;
            }
        }
        return false;
    }

    /** True for SPS and PPS. */
    public static boolean isParameterSet(ByteBuffer nal) {
        return isParameterSet(nalType(nal));
    }

    public static boolean isParameterSet(int nalType) {
        return nalType == NAL_SPS || nalType == NAL_PPS;
    }

    /** True for coded slices (types 1-5). */
    public static boolean isVcl(int nalType) {
        return nalType >= 1 && nalType <= 5;
    }

    /**
     * True when this VCL NAL unit is the first slice of a picture (first_mb_in_slice == 0). Only looks at the
     * first bit after the header, so it costs nothing.
     */
    public static boolean isFirstSliceOfPicture(ByteBuffer nal) {
        int p = nal.position();
        return nal.remaining() > 1 && isVcl(nal.get(p) & 0x1F) && (nal.get(p + 1) & 0x80) != 0;
    }

    /**
     * True when a NAL unit of this type starts a new access unit if a coded picture has already been seen in
     * the current one (H.264 7.4.1.2.3).
     */
    static boolean startsAccessUnit(int nalType) {
        return nalType == NAL_AUD || nalType == NAL_SPS || nalType == NAL_PPS || nalType == NAL_SEI
                || (nalType >= 14 && nalType <= 18);
    }

    /** Parses an SPS NAL unit (header included, emulation prevention not yet removed). */
    public static SpsInfo parseSps(ByteBuffer sps) throws CodecException {
        return sps(sps).info();
    }

    /** The SPS fields slice header parsing needs, next to the public summary. */
    record Sps(int id, SpsInfo info, int log2MaxFrameNum, int pocType, int log2MaxPocLsb, boolean frameMbsOnly,
            boolean separateColourPlane) {
    }

    static Sps sps(ByteBuffer sps) throws CodecException {
        if (sps.remaining() < 4) {
            throw new CodecException("SPS too short: " + sps.remaining() + " bytes");
        }
        int header = sps.get(sps.position()) & 0xFF;
        if ((header & 0x80) != 0) {
            throw new CodecException("forbidden_zero_bit set in SPS header");
        }
        if ((header & 0x1F) != NAL_SPS) {
            throw new CodecException("not an SPS: NAL type " + (header & 0x1F));
        }
        BitReader r = new BitReader(NalUnits.unescape(sps.slice(sps.position() + 1, sps.remaining() - 1)));
        int profileIdc = r.u(8);
        int constraints = r.u(8);
        int levelIdc = r.u(8);
        int spsId = r.ue("seq_parameter_set_id", 31);
        int chromaFormatIdc = 1;
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        if (hasChromaInfo(profileIdc)) {
            chromaFormatIdc = r.ue("chroma_format_idc", 3);
            if (chromaFormatIdc == 3) {
                separateColourPlane = r.flag();
            }
            bitDepthLuma = 8 + r.ue("bit_depth_luma_minus8", 6);
            r.ue("bit_depth_chroma_minus8", 6);
            r.flag(); // qpprime_y_zero_transform_bypass_flag
            if (r.flag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormatIdc != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++) {
                    if (r.flag()) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        int log2MaxFrameNum = r.ue("log2_max_frame_num_minus4", 12) + 4;
        int pocType = r.ue("pic_order_cnt_type", 2);
        int log2MaxPocLsb = 0;
        if (pocType == 0) {
            log2MaxPocLsb = r.ue("log2_max_pic_order_cnt_lsb_minus4", 12) + 4;
        } else if (pocType == 1) {
            r.flag(); // delta_pic_order_always_zero_flag
            r.se(); // offset_for_non_ref_pic
            r.se(); // offset_for_top_to_bottom_field
            int cycle = r.ue("num_ref_frames_in_pic_order_cnt_cycle", 255);
            for (int i = 0; i < cycle; i++) {
                r.se();
            }
        }
        r.ue("max_num_ref_frames", 16);
        r.flag(); // gaps_in_frame_num_value_allowed_flag
        int widthMbs = r.ue("pic_width_in_mbs_minus1", 1023) + 1;
        int heightMapUnits = r.ue("pic_height_in_map_units_minus1", 1023) + 1;
        boolean frameMbsOnly = r.flag();
        if (!frameMbsOnly) {
            r.flag(); // mb_adaptive_frame_field_flag
        }
        r.flag(); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (r.flag()) {
            cropLeft = r.ue("frame_crop_left_offset", 8192);
            cropRight = r.ue("frame_crop_right_offset", 8192);
            cropTop = r.ue("frame_crop_top_offset", 8192);
            cropBottom = r.ue("frame_crop_bottom_offset", 8192);
        }
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int subWidthC = chromaFormatIdc == 3 ? 1 : 2;
        int subHeightC = chromaFormatIdc == 1 ? 2 : 1;
        int fieldFactor = frameMbsOnly ? 1 : 2;
        int cropUnitX = chromaArrayType == 0 ? 1 : subWidthC;
        int cropUnitY = chromaArrayType == 0 ? fieldFactor : subHeightC * fieldFactor;
        int width = widthMbs * 16 - cropUnitX * (cropLeft + cropRight);
        int height = fieldFactor * heightMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0) {
            throw new CodecException("cropping leaves no picture: " + width + "x" + height);
        }
        double frameRate = 0;
        if (r.flag()) {
            frameRate = vuiFrameRate(r);
        }
        SpsInfo info = new SpsInfo(width, height, profileName(profileIdc, constraints), levelIdc, chromaFormatIdc,
                bitDepthLuma, frameRate);
        return new Sps(spsId, info, log2MaxFrameNum, pocType, log2MaxPocLsb, frameMbsOnly, separateColourPlane);
    }

    /** The SPS id of an SPS or the PPS id of a PPS (emulation prevention handled). */
    public static int parameterSetId(ByteBuffer nal) throws CodecException {
        int type = nalType(nal);
        if (type != NAL_SPS && type != NAL_PPS) {
            throw new CodecException("not a parameter set: NAL type " + type);
        }
        BitReader r = new BitReader(NalUnits.unescape(nal.slice(nal.position() + 1, nal.remaining() - 1)));
        if (type == NAL_SPS) {
            r.skip(24);
            return r.ue("seq_parameter_set_id", 31);
        }
        return r.ue("pic_parameter_set_id", 255);
    }

    /** The RFC 6381 codec string, such as {@code avc1.64001F}, from an SPS NAL unit. */
    public static String codecString(ByteBuffer sps) throws CodecException {
        if (nalType(sps) != NAL_SPS || sps.remaining() < 4) {
            throw new CodecException("not an SPS");
        }
        int p = sps.position();
        return String.format("avc1.%02X%02X%02X", sps.get(p + 1) & 0xFF, sps.get(p + 2) & 0xFF,
                sps.get(p + 3) & 0xFF);
    }

    /** Profile name as ffprobe prints it. */
    public static String profileName(int profileIdc, int constraintFlags) {
        boolean set1 = (constraintFlags & 0x40) != 0;
        boolean set3 = (constraintFlags & 0x10) != 0;
        return switch (profileIdc) {
            case 66 -> set1 ? "Constrained Baseline" : "Baseline";
            case 77 -> "Main";
            case 88 -> "Extended";
            case 100 -> "High";
            case 110 -> set3 ? "High 10 Intra" : "High 10";
            case 122 -> set3 ? "High 4:2:2 Intra" : "High 4:2:2";
            case 244 -> set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
            case 44 -> "CAVLC 4:4:4";
            case 83 -> "Scalable Baseline";
            case 86 -> "Scalable High";
            case 118 -> "Multiview High";
            case 128 -> "Stereo High";
            case 134 -> "MFC High";
            case 135 -> "MFC Depth High";
            case 138 -> "Multiview Depth High";
            case 139 -> "Enhanced Multiview Depth High";
            default -> "Unknown (" + profileIdc + ")";
        };
    }

    private static boolean hasChromaInfo(int profileIdc) {
        return switch (profileIdc) {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
            default -> false;
        };
    }

    private static void skipScalingList(BitReader r, int size) throws CodecException {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                int delta = r.se();
                if (delta < -128 || delta > 127) {
                    throw new CodecException("delta_scale out of range: " + delta);
                }
                next = (last + delta + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    /** Frame rate from the VUI; a truncated or odd VUI only loses the frame rate, not the SPS. */
    private static double vuiFrameRate(BitReader r) {
        try {
            if (r.flag()) { // aspect_ratio_info_present_flag
                if (r.u(8) == 255) {
                    r.skip(32);
                }
            }
            if (r.flag()) { // overscan_info_present_flag
                r.skip(1);
            }
            if (r.flag()) { // video_signal_type_present_flag
                r.skip(4);
                if (r.flag()) {
                    r.skip(24);
                }
            }
            if (r.flag()) { // chroma_loc_info_present_flag
                r.ue();
                r.ue();
            }
            if (r.flag()) { // timing_info_present_flag
                long unitsInTick = r.bits(32);
                long timeScale = r.bits(32);
                if (unitsInTick > 0 && timeScale > 0) {
                    // A frame is two field ticks in H.264.
                    return timeScale / (2.0 * unitsInTick);
                }
            }
        } catch (CodecException e) {
            return 0;
        }
        return 0;
    }
}
