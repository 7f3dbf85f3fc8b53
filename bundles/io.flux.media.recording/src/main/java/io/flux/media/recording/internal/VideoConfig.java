package io.flux.media.recording.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.api.sample.Codec;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;
import io.flux.media.codec.SpsInfo;

/**
 * A video track's decoder configuration: its parameter sets (own copies, without start codes), the picture size
 * from the SPS and the ready-made {@code avc1}/{@code hvc1} sample entry.
 */
record VideoConfig(Codec codec, int width, int height, String profile, List<byte[]> parameterSets,
        byte[] sampleEntry) {

    /** Builds the configuration from parameter sets (other NAL units in the list are ignored). */
    static VideoConfig of(Codec codec, List<ByteBuffer> nals) throws CodecException {
        List<ByteBuffer> vps = new ArrayList<>(1);
        List<ByteBuffer> sps = new ArrayList<>(1);
        List<ByteBuffer> pps = new ArrayList<>(1);
        List<byte[]> copies = new ArrayList<>(3);
        for (ByteBuffer nal : nals) {
            List<ByteBuffer> target = switch (codec) {
                case H264 -> switch (H264.nalType(nal)) {
                    case H264.NAL_SPS -> sps;
                    case H264.NAL_PPS -> pps;
                    default -> null;
                };
                case H265 -> switch (H265.nalType(nal)) {
                    case H265.NAL_VPS -> vps;
                    case H265.NAL_SPS -> sps;
                    case H265.NAL_PPS -> pps;
                    default -> null;
                };
                default -> throw new CodecException("not a video codec: " + codec);
            };
            if (target == null) {
                continue;
            }
            byte[] copy = new byte[nal.remaining()];
            nal.duplicate().get(copy);
            if (containsEqual(copies, copy)) {
                continue;
            }
            copies.add(copy);
            target.add(ByteBuffer.wrap(copy).asReadOnlyBuffer());
        }
        if (sps.isEmpty()) {
            throw new CodecException("no SPS");
        }
        SpsInfo info = codec == Codec.H264 ? H264.parseSps(sps.get(0)) : H265.parseSps(sps.get(0));
        List<ByteBuffer> sets = new ArrayList<>(vps);
        sets.addAll(sps);
        sets.addAll(pps);
        byte[] entry = codec == Codec.H264
                ? SampleEntries.avc1(sets, info.width(), info.height())
                : SampleEntries.hvc1(sets, info.width(), info.height());
        return new VideoConfig(codec, info.width(), info.height(), info.profile(), List.copyOf(copies), entry);
    }

    /** The parameter sets among {@code nals} (no copies), in order. */
    static List<ByteBuffer> parameterSetsIn(Codec codec, List<ByteBuffer> nals) {
        List<ByteBuffer> out = new ArrayList<>(3);
        for (ByteBuffer nal : nals) {
            boolean ps = codec == Codec.H264 ? H264.isParameterSet(nal) : H265.isParameterSet(nal);
            if (ps) {
                out.add(nal);
            }
        }
        return out;
    }

    /** True when {@code nals} (parameter sets, possibly repeated) hold exactly this configuration's sets. */
    boolean sameParameterSets(List<ByteBuffer> nals) {
        List<byte[]> seen = new ArrayList<>(3);
        for (ByteBuffer nal : nals) {
            byte[] copy = new byte[nal.remaining()];
            nal.duplicate().get(copy);
            if (!containsEqual(parameterSets, copy)) {
                return false;
            }
            if (!containsEqual(seen, copy)) {
                seen.add(copy);
            }
        }
        return seen.size() == parameterSets.size();
    }

    /** Parameter sets of a keyframe's access unit, split from Annex B. */
    static List<ByteBuffer> parameterSetsOfAccessUnit(Codec codec, ByteBuffer annexB) {
        return parameterSetsIn(codec, NalUnits.splitAnnexB(annexB));
    }

    private static boolean containsEqual(List<byte[]> list, byte[] b) {
        for (byte[] x : list) {
            if (java.util.Arrays.equals(x, b)) {
                return true;
            }
        }
        return false;
    }
}
