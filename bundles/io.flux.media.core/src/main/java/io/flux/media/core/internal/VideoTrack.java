package io.flux.media.core.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.VideoFormat;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;
import io.flux.media.codec.SpsInfo;

/**
 * The video elementary stream of one live stream: caches its parameter sets (by type and id), keeps the
 * {@link VideoFormat} parsed from the newest SPS, derives the keyframe flag from the NAL unit types, and makes
 * every keyframe it lets through decodable on its own by putting the cached parameter sets in front of
 * keyframes that lack them. Not thread-safe: the owning stream guards it.
 */
final class VideoTrack {

    /** Why {@link #process} returned nothing. */
    enum Skip {
        /** Not a keyframe, and no keyframe has been let through yet. */
        BEFORE_KEYFRAME,
        /** No coded picture (parameter sets, SEI or delimiters only); parameter sets were cached. */
        NO_PICTURE,
        /** A keyframe, but the parameter sets it needs were never seen. */
        NO_PARAMETER_SETS
    }

    private static final int VPS = 0;
    private static final int SPS = 1;
    private static final int PPS = 2;

    private Codec codec;
    /** Cached parameter sets by kind (VPS, SPS, PPS) and id, each an owned copy without start code. */
    @SuppressWarnings("unchecked")
    private final TreeMap<Integer, ByteBuffer>[] cache = new TreeMap[] {new TreeMap<>(), new TreeMap<>(),
        new TreeMap<>()};
    private ByteBuffer activeSps;
    private SpsInfo spsInfo;
    private VideoFormat format;
    private boolean started;
    private Skip skip;

    /** The format parsed from the newest SPS, null before one was seen. */
    VideoFormat format() {
        return format;
    }

    /** True once a keyframe has been let through (since the start or the last codec change). */
    boolean started() {
        return started;
    }

    /** Why the last {@link #process} call returned null. */
    Skip skip() {
        return skip;
    }

    /**
     * Checks one access unit and returns what consumers should get: the sample itself, or a copy with the
     * keyframe flag corrected and/or the parameter sets put in front. Returns null when the sample is to be
     * skipped ({@link #skip()} says why).
     *
     * @throws CodecException for corrupt data: nothing is cached from such a sample
     */
    VideoSample process(VideoSample in) throws CodecException {
        skip = null;
        if (codec != in.codec()) {
            reset(in.codec());
        }
        boolean hevc = codec == Codec.H265;
        List<ByteBuffer> nals = NalUnits.splitAnnexB(in.payload());
        if (nals.isEmpty()) {
            throw new CodecException("no NAL unit (no Annex B start code)");
        }
        boolean picture = false;
        int present = 0;
        List<ByteBuffer> paramSets = null;
        for (int i = 0, n = nals.size(); i < n; i++) {
            ByteBuffer nal = nals.get(i);
            if ((nal.get(nal.position()) & 0x80) != 0) {
                throw new CodecException("forbidden_zero_bit set in NAL unit " + i);
            }
            int type = hevc ? H265.nalType(nal) : H264.nalType(nal);
            if (type < 0) {
                throw new CodecException("NAL unit " + i + " shorter than its header");
            }
            int kind = kind(hevc, type);
            if (kind >= 0) {
                present |= 1 << kind;
                if (paramSets == null) {
                    paramSets = new ArrayList<>(3);
                }
                paramSets.add(nal);
            } else if (hevc ? H265.isVcl(type) : H264.isVcl(type)) {
                picture = true;
            }
        }
        if (paramSets != null) {
            cache(hevc, paramSets);
        }
        if (!picture) {
            skip = Skip.NO_PICTURE;
            return null;
        }
        boolean keyframe = hevc ? H265.isKeyframe(nals) : H264.isKeyframe(nals);
        if (!keyframe) {
            if (!started) {
                skip = Skip.BEFORE_KEYFRAME;
                return null;
            }
            return in.keyframe() ? new VideoSample(in.codec(), in.pts(), in.dts(), false, in.payload()) : in;
        }
        int required = hevc ? (1 << VPS) | (1 << SPS) | (1 << PPS) : (1 << SPS) | (1 << PPS);
        for (int kind = VPS; kind <= PPS; kind++) {
            if ((required & (1 << kind)) != 0 && cache[kind].isEmpty()) {
                skip = Skip.NO_PARAMETER_SETS;
                return null;
            }
        }
        started = true;
        if ((present & required) == required) {
            return in.keyframe() ? in : new VideoSample(in.codec(), in.pts(), in.dts(), true, in.payload());
        }
        return new VideoSample(in.codec(), in.pts(), in.dts(), true, withParameterSets(hevc, nals));
    }

    private void reset(Codec newCodec) {
        codec = newCodec;
        for (TreeMap<Integer, ByteBuffer> m : cache) {
            m.clear();
        }
        activeSps = null;
        spsInfo = null;
        format = null;
        started = false;
    }

    /** 0 VPS, 1 SPS, 2 PPS, -1 for anything else. */
    private static int kind(boolean hevc, int type) {
        if (hevc) {
            return switch (type) {
                case H265.NAL_VPS -> VPS;
                case H265.NAL_SPS -> SPS;
                case H265.NAL_PPS -> PPS;
                default -> -1;
            };
        }
        return switch (type) {
            case H264.NAL_SPS -> SPS;
            case H264.NAL_PPS -> PPS;
            default -> -1;
        };
    }

    /**
     * Validates every parameter set of the sample first (ids, and a new SPS fully), then caches them: a corrupt
     * sample leaves the cache as it was. Unchanged parameter sets cost a comparison, no copy.
     */
    private void cache(boolean hevc, List<ByteBuffer> paramSets) throws CodecException {
        int n = paramSets.size();
        int[] ids = new int[n];
        ByteBuffer newSps = null;
        SpsInfo newInfo = null;
        boolean changed = false;
        for (int i = 0; i < n; i++) {
            ByteBuffer nal = paramSets.get(i);
            int type = hevc ? H265.nalType(nal) : H264.nalType(nal);
            int kind = kind(hevc, type);
            ids[i] = hevc ? H265.parameterSetId(nal) : H264.parameterSetId(nal);
            ByteBuffer cached = cache[kind].get(ids[i]);
            boolean same = nal.equals(cached);
            changed |= !same;
            if (kind == SPS) {
                if (!nal.equals(activeSps)) {
                    newInfo = hevc ? H265.parseSps(nal) : H264.parseSps(nal);
                    newSps = nal;
                }
            }
        }
        if (!changed && newSps == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            ByteBuffer nal = paramSets.get(i);
            int kind = kind(hevc, hevc ? H265.nalType(nal) : H264.nalType(nal));
            if (!nal.equals(cache[kind].get(ids[i]))) {
                ByteBuffer copy = copy(nal);
                cache[kind].put(ids[i], copy);
                if (nal == newSps) {
                    activeSps = copy;
                }
            } else if (nal == newSps) {
                activeSps = cache[kind].get(ids[i]);
            }
        }
        if (newInfo != null) {
            spsInfo = newInfo;
        }
        if (spsInfo != null) {
            format = new VideoFormat(codec, spsInfo.width(), spsInfo.height(), spsInfo.profile(), cachedSets());
        }
    }

    /** Every cached parameter set in decoding order: VPS, SPS, PPS, each by ascending id. */
    private List<ByteBuffer> cachedSets() {
        List<ByteBuffer> out = new ArrayList<>(4);
        for (Map<Integer, ByteBuffer> m : cache) {
            out.addAll(m.values());
        }
        return out;
    }

    /**
     * The access unit rebuilt as: its access unit delimiter (which must come first), every cached parameter set,
     * then its other NAL units without the parameter sets it carried (they are in the cache already).
     */
    private ByteBuffer withParameterSets(boolean hevc, List<ByteBuffer> nals) {
        List<ByteBuffer> out = new ArrayList<>(nals.size() + 4);
        int i = 0;
        int firstType = hevc ? H265.nalType(nals.get(0)) : H264.nalType(nals.get(0));
        if (firstType == (hevc ? H265.NAL_AUD : H264.NAL_AUD)) {
            out.add(nals.get(0));
            i = 1;
        }
        out.addAll(cachedSets());
        for (int n = nals.size(); i < n; i++) {
            ByteBuffer nal = nals.get(i);
            if (kind(hevc, hevc ? H265.nalType(nal) : H264.nalType(nal)) < 0) {
                out.add(nal);
            }
        }
        return NalUnits.toAnnexB(out);
    }

    private static ByteBuffer copy(ByteBuffer nal) {
        ByteBuffer c = ByteBuffer.allocate(nal.remaining());
        c.put(nal.duplicate());
        return c.flip().asReadOnlyBuffer();
    }
}
