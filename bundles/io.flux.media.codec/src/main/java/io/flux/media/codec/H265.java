package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.List;

/** H.265 / HEVC NAL units (ITU-T H.265). NAL units are passed without start codes, 2-byte header first. */
public final class H265 {

    public static final int NAL_BLA_W_LP = 16;
    public static final int NAL_IDR_W_RADL = 19;
    public static final int NAL_IDR_N_LP = 20;
    public static final int NAL_CRA = 21;
    public static final int NAL_VPS = 32;
    public static final int NAL_SPS = 33;
    public static final int NAL_PPS = 34;
    public static final int NAL_AUD = 35;
    public static final int NAL_EOS = 36;
    public static final int NAL_EOB = 37;
    public static final int NAL_FD = 38;
    public static final int NAL_SEI_PREFIX = 39;
    public static final int NAL_SEI_SUFFIX = 40;

    private H265() {
    }

    /** nal_unit_type (0-63), or -1 when shorter than the 2-byte header. */
    public static int nalType(ByteBuffer nal) {
        return nal.remaining() >= 2 ? (nal.get(nal.position()) >> 1) & 0x3F : -1;
    }

    /** nuh_layer_id, or -1 when shorter than the header. */
    public static int layerId(ByteBuffer nal) {
        if (nal.remaining() < 2) {
            return -1;
        }
        int p = nal.position();
        return ((nal.get(p) & 1) << 5) | ((nal.get(p + 1) >> 3) & 0x1F);
    }

    /** True when any NAL unit is an IRAP picture (BLA, IDR, CRA: types 16-23). */
    public static boolean isKeyframe(List<ByteBuffer> nals) {
        for (int i = 0, n = nals.size(); i < n; i++) {
            if (isIrap(nalType(nals.get(i)))) {
                return true;
            }
        }
        return false;
    }

    public static boolean isIrap(int nalType) {
        return nalType >= 16 && nalType <= 23;
    }

    /** True for VPS, SPS and PPS. */
    public static boolean isParameterSet(ByteBuffer nal) {
        return isParameterSet(nalType(nal));
    }

    public static boolean isParameterSet(int nalType) {
        return nalType == NAL_VPS || nalType == NAL_SPS || nalType == NAL_PPS;
    }

    /** True for coded slice segments (types 0-31). */
    public static boolean isVcl(int nalType) {
        return nalType >= 0 && nalType <= 31;
    }

    /** True when this VCL NAL unit starts a picture (first_slice_segment_in_pic_flag). */
    public static boolean isFirstSliceOfPicture(ByteBuffer nal) {
        int p = nal.position();
        return nal.remaining() > 2 && isVcl((nal.get(p) >> 1) & 0x3F) && (nal.get(p + 2) & 0x80) != 0;
    }

    /** True when a NAL unit of this type starts a new access unit once a picture was seen (H.265 7.4.2.4.4). */
    static boolean startsAccessUnit(int nalType) {
        return nalType == NAL_AUD || nalType == NAL_VPS || nalType == NAL_SPS || nalType == NAL_PPS
                || nalType == NAL_SEI_PREFIX || (nalType >= 41 && nalType <= 44) || (nalType >= 48 && nalType <= 55);
    }

    /** The general profile_tier_level fields, as the hvcC record carries them. */
    public record ProfileTierLevel(int profileSpace, boolean tier, int profileIdc, long compatibilityFlags,
            long constraintFlags, int levelIdc) {
    }

    /** Parses an SPS NAL unit (header included, emulation prevention not yet removed). */
    public static SpsInfo parseSps(ByteBuffer sps) throws CodecException {
        return sps(sps).info();
    }

    /** The SPS fields slice header parsing needs, next to the public summary. */
    record Sps(int id, SpsInfo info, int log2MaxPocLsb, boolean separateColourPlane) {
    }

    static Sps sps(ByteBuffer sps) throws CodecException {
        BitReader r = spsReader(sps);
        int maxSubLayersMinus1 = r.u(3);
        r.skip(1); // sps_temporal_id_nesting_flag
        ProfileTierLevel ptl = profileTierLevel(r, maxSubLayersMinus1);
        int spsId = r.ue("sps_seq_parameter_set_id", 15);
        int chromaFormatIdc = r.ue("chroma_format_idc", 3);
        boolean separateColourPlane = chromaFormatIdc == 3 && r.flag();
        int width = r.ue("pic_width_in_luma_samples", 16888);
        int height = r.ue("pic_height_in_luma_samples", 16888);
        if (width == 0 || height == 0) {
            throw new CodecException("zero picture size");
        }
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int subWidthC = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
        int subHeightC = chromaArrayType == 1 ? 2 : 1;
        if (r.flag()) { // conformance_window_flag
            int left = r.ue("conf_win_left_offset", 16888);
            int right = r.ue("conf_win_right_offset", 16888);
            int top = r.ue("conf_win_top_offset", 16888);
            int bottom = r.ue("conf_win_bottom_offset", 16888);
            width -= subWidthC * (left + right);
            height -= subHeightC * (top + bottom);
            if (width <= 0 || height <= 0) {
                throw new CodecException("conformance window leaves no picture");
            }
        }
        int bitDepth = 8 + r.ue("bit_depth_luma_minus8", 8);
        r.ue("bit_depth_chroma_minus8", 8);
        int log2MaxPocLsb = r.ue("log2_max_pic_order_cnt_lsb_minus4", 12) + 4;
        double frameRate = restFrameRate(r, maxSubLayersMinus1, log2MaxPocLsb);
        SpsInfo info = new SpsInfo(width, height, profileName(ptl), ptl.levelIdc(), chromaFormatIdc, bitDepth,
                frameRate);
        return new Sps(spsId, info, log2MaxPocLsb, separateColourPlane);
    }

    /** The general profile, tier and level of an SPS. */
    public static ProfileTierLevel parseProfileTierLevel(ByteBuffer sps) throws CodecException {
        BitReader r = spsReader(sps);
        int maxSubLayersMinus1 = r.u(3);
        r.skip(1);
        return profileTierLevel(r, maxSubLayersMinus1);
    }

    /** Number of temporal sub-layers (sps_max_sub_layers_minus1 + 1) and temporal id nesting of an SPS. */
    static int[] subLayers(ByteBuffer sps) throws CodecException {
        BitReader r = spsReader(sps);
        int maxSubLayersMinus1 = r.u(3);
        int nesting = r.u(1);
        return new int[] {maxSubLayersMinus1 + 1, nesting};
    }

    /** The id of a VPS, SPS or PPS. */
    public static int parameterSetId(ByteBuffer nal) throws CodecException {
        int type = nalType(nal);
        if (!isParameterSet(type)) {
            throw new CodecException("not a parameter set: NAL type " + type);
        }
        BitReader r = new BitReader(NalUnits.unescape(nal.slice(nal.position() + 2, nal.remaining() - 2)));
        return switch (type) {
            case NAL_VPS -> r.u(4);
            case NAL_SPS -> {
                r.skip(4); // sps_video_parameter_set_id
                int maxSubLayersMinus1 = r.u(3);
                r.skip(1);
                profileTierLevel(r, maxSubLayersMinus1);
                yield r.ue("sps_seq_parameter_set_id", 15);
            }
            default -> r.ue("pps_pic_parameter_set_id", 63);
        };
    }

    /** Profile name as ffprobe prints it. */
    public static String profileName(ProfileTierLevel ptl) {
        int idc = ptl.profileIdc();
        if (idc == 0) {
            // Profile given only through the compatibility flags.
            for (int j = 1; j < 32; j++) {
                if ((ptl.compatibilityFlags() & (1L << (31 - j))) != 0) {
                    idc = j;
                    break;
                }
            }
        }
        return switch (idc) {
            case 1 -> "Main";
            case 2 -> "Main 10";
            case 3 -> "Main Still Picture";
            case 4 -> "Rext";
            case 5 -> "High Throughput 4:4:4";
            case 6 -> "Multiview Main";
            case 7 -> "Scalable Main";
            case 8 -> "3D Main";
            case 9 -> "Screen Extended";
            case 10 -> "Scalable Rext";
            case 11 -> "High Throughput Screen Extended";
            default -> "Unknown (" + ptl.profileIdc() + ")";
        };
    }

    private static BitReader spsReader(ByteBuffer sps) throws CodecException {
        if (sps.remaining() < 16) {
            throw new CodecException("SPS too short: " + sps.remaining() + " bytes");
        }
        if ((sps.get(sps.position()) & 0x80) != 0) {
            throw new CodecException("forbidden_zero_bit set in SPS header");
        }
        int type = nalType(sps);
        if (type != NAL_SPS) {
            throw new CodecException("not an SPS: NAL type " + type);
        }
        BitReader r = new BitReader(NalUnits.unescape(sps.slice(sps.position() + 2, sps.remaining() - 2)));
        r.skip(4); // sps_video_parameter_set_id
        return r;
    }

    private static ProfileTierLevel profileTierLevel(BitReader r, int maxSubLayersMinus1) throws CodecException {
        int profileSpace = r.u(2);
        boolean tier = r.flag();
        int profileIdc = r.u(5);
        long compatibility = r.bits(32);
        long constraints = (r.bits(16) << 32) | r.bits(32); // 4 flags + 43 bits + 1 bit
        int levelIdc = r.u(8);
        boolean[] profilePresent = new boolean[maxSubLayersMinus1];
        boolean[] levelPresent = new boolean[maxSubLayersMinus1];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            profilePresent[i] = r.flag();
            levelPresent[i] = r.flag();
        }
        if (maxSubLayersMinus1 > 0) {
            r.skip(2L * (8 - maxSubLayersMinus1));
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if (profilePresent[i]) {
                r.skip(88);
            }
            if (levelPresent[i]) {
                r.skip(8);
            }
        }
        return new ProfileTierLevel(profileSpace, tier, profileIdc, compatibility, constraints, levelIdc);
    }

    /**
     * Walks the rest of the SPS up to the VUI for its timing information. Anything odd here only costs the
     * frame rate: width and height are already known.
     */
    private static double restFrameRate(BitReader r, int maxSubLayersMinus1, int log2MaxPocLsb) {
        try {
            boolean orderingInfo = r.flag();
            for (int i = orderingInfo ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
                r.ue();
                r.ue();
                r.ue();
            }
            r.ue(); // log2_min_luma_coding_block_size_minus3
            r.ue(); // log2_diff_max_min_luma_coding_block_size
            r.ue(); // log2_min_luma_transform_block_size_minus2
            r.ue(); // log2_diff_max_min_luma_transform_block_size
            r.ue(); // max_transform_hierarchy_depth_inter
            r.ue(); // max_transform_hierarchy_depth_intra
            if (r.flag() && r.flag()) { // scaling_list_enabled_flag, sps_scaling_list_data_present_flag
                skipScalingListData(r);
            }
            r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
            if (r.flag()) { // pcm_enabled_flag
                r.skip(8);
                r.ue();
                r.ue();
                r.skip(1);
            }
            skipShortTermRefPicSets(r);
            if (r.flag()) { // long_term_ref_pics_present_flag
                int n = r.ue("num_long_term_ref_pics_sps", 32);
                for (int i = 0; i < n; i++) {
                    r.skip(log2MaxPocLsb + 1L);
                }
            }
            r.skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
            if (!r.flag()) { // vui_parameters_present_flag
                return 0;
            }
            if (r.flag() && r.u(8) == 255) { // aspect_ratio_info_present_flag, aspect_ratio_idc
                r.skip(32);
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
            r.skip(3); // neutral_chroma_indication, field_seq, frame_field_info_present
            if (r.flag()) { // default_display_window_flag
                r.ue();
                r.ue();
                r.ue();
                r.ue();
            }
            if (r.flag()) { // vui_timing_info_present_flag
                long unitsInTick = r.bits(32);
                long timeScale = r.bits(32);
                if (unitsInTick > 0 && timeScale > 0) {
                    return (double) timeScale / unitsInTick;
                }
            }
            return 0;
        } catch (CodecException e) {
            return 0;
        }
    }

    private static void skipScalingListData(BitReader r) throws CodecException {
        for (int sizeId = 0; sizeId < 4; sizeId++) {
            for (int matrixId = 0; matrixId < 6; matrixId += sizeId == 3 ? 3 : 1) {
                if (!r.flag()) { // scaling_list_pred_mode_flag
                    r.ue(); // scaling_list_pred_matrix_id_delta
                } else {
                    int coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
                    if (sizeId > 1) {
                        r.se(); // scaling_list_dc_coef_minus8
                    }
                    for (int i = 0; i < coefNum; i++) {
                        r.se();
                    }
                }
            }
        }
    }

    /** st_ref_pic_set() for every set in the SPS, tracking delta POCs that inter-RPS prediction needs. */
    private static void skipShortTermRefPicSets(BitReader r) throws CodecException {
        int num = r.ue("num_short_term_ref_pic_sets", 64);
        int[][] s0 = new int[num][];
        int[][] s1 = new int[num][];
        for (int idx = 0; idx < num; idx++) {
            boolean interPrediction = idx != 0 && r.flag();
            if (interPrediction) {
                int ref = idx - 1; // delta_idx_minus1 is only coded in slice headers
                int sign = r.u(1);
                int absDelta = r.ue("abs_delta_rps_minus1", 32767) + 1;
                int deltaRps = (1 - 2 * sign) * absDelta;
                int refNum = s0[ref].length + s1[ref].length;
                boolean[] useDelta = new boolean[refNum + 1];
                for (int j = 0; j <= refNum; j++) {
                    boolean used = r.flag();
                    useDelta[j] = used || r.flag();
                }
                int[] tmp0 = new int[refNum + 1];
                int[] tmp1 = new int[refNum + 1];
                int n0 = 0;
                int n1 = 0;
                int[] r0 = s0[ref];
                int[] r1 = s1[ref];
                // Equations 7-61 and 7-62.
                for (int j = r1.length - 1; j >= 0; j--) {
                    int d = r1[j] + deltaRps;
                    if (d < 0 && useDelta[r0.length + j]) {
                        tmp0[n0++] = d;
                    }
                }
                if (deltaRps < 0 && useDelta[refNum]) {
                    tmp0[n0++] = deltaRps;
                }
                for (int j = 0; j < r0.length; j++) {
                    int d = r0[j] + deltaRps;
                    if (d < 0 && useDelta[j]) {
                        tmp0[n0++] = d;
                    }
                }
                for (int j = r0.length - 1; j >= 0; j--) {
                    int d = r0[j] + deltaRps;
                    if (d > 0 && useDelta[j]) {
                        tmp1[n1++] = d;
                    }
                }
                if (deltaRps > 0 && useDelta[refNum]) {
                    tmp1[n1++] = deltaRps;
                }
                for (int j = 0; j < r1.length; j++) {
                    int d = r1[j] + deltaRps;
                    if (d > 0 && useDelta[r0.length + j]) {
                        tmp1[n1++] = d;
                    }
                }
                s0[idx] = java.util.Arrays.copyOf(tmp0, n0);
                s1[idx] = java.util.Arrays.copyOf(tmp1, n1);
            } else {
                int neg = r.ue("num_negative_pics", 16);
                int pos = r.ue("num_positive_pics", 16);
                s0[idx] = new int[neg];
                s1[idx] = new int[pos];
                int poc = 0;
                for (int i = 0; i < neg; i++) {
                    poc -= r.ue("delta_poc_s0_minus1", 32767) + 1;
                    s0[idx][i] = poc;
                    r.skip(1);
                }
                poc = 0;
                for (int i = 0; i < pos; i++) {
                    poc += r.ue("delta_poc_s1_minus1", 32767) + 1;
                    s1[idx][i] = poc;
                    r.skip(1);
                }
            }
        }
    }
}
