package io.flux.media.publish.rtsp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.api.stream.VideoFormat;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;

/**
 * What a publish session announces: one video track (H.264 or H.265 with its parameter sets) and, when the stream
 * has G.711 at 8 kHz mono, one audio track. Builds the SDP of the ANNOUNCE.
 *
 * @param parameterSets H.264: SPS, PPS (one or more each); H.265: VPS, SPS, PPS; NAL units without start codes
 * @param audio         {@link Codec#G711A}, {@link Codec#G711U} or null for no audio track
 */
record Tracks(Codec video, List<ByteBuffer> parameterSets, Codec audio) {

    static final int VIDEO_PAYLOAD_TYPE = 96;
    static final String VIDEO_CONTROL = "trackID=0";
    static final String AUDIO_CONTROL = "trackID=1";

    Tracks {
        Objects.requireNonNull(video, "video");
        if (!video.isVideo()) {
            throw new IllegalArgumentException("not a video codec: " + video);
        }
        // Copies: the keyframe they came from belongs to the media core.
        parameterSets = parameterSets.stream().map(b -> ByteBuffer.wrap(bytes(b)).asReadOnlyBuffer()).toList();
        if (audio != null && audio != Codec.G711A && audio != Codec.G711U) {
            throw new IllegalArgumentException("unsupported audio codec: " + audio);
        }
    }

    /**
     * The tracks of a stream from its first keyframe: parameter sets from the keyframe itself (the media core
     * delivers them in-band), else from the stream's parsed video format; null when neither has them all.
     */
    static Tracks of(Codec codec, ByteBuffer keyframe, VideoFormat format, AudioFormat audioFormat) {
        List<ByteBuffer> sets = parameterSets(codec, NalUnits.splitAnnexB(keyframe));
        if (!complete(codec, sets) && format != null && format.codec() == codec) {
            sets = parameterSets(codec, format.parameterSets());
        }
        if (!complete(codec, sets)) {
            return null;
        }
        return new Tracks(codec, sets, audioTrack(audioFormat));
    }

    /** G.711 travels as static payload types at 8 kHz mono; anything else (AAC) is left out: video is what counts. */
    static Codec audioTrack(AudioFormat format) {
        if (format == null || (format.codec() != Codec.G711A && format.codec() != Codec.G711U)) {
            return null;
        }
        return format.sampleRate() == 8000 && format.channels() == 1 ? format.codec() : null;
    }

    static int audioPayloadType(Codec audio) {
        return audio == Codec.G711A ? 8 : 0;
    }

    private static List<ByteBuffer> parameterSets(Codec codec, List<ByteBuffer> nals) {
        List<ByteBuffer> vps = new ArrayList<>();
        List<ByteBuffer> sps = new ArrayList<>();
        List<ByteBuffer> pps = new ArrayList<>();
        for (ByteBuffer nal : nals) {
            if (codec == Codec.H264) {
                switch (H264.nalType(nal)) {
                    case H264.NAL_SPS -> sps.add(nal);
                    case H264.NAL_PPS -> pps.add(nal);
                    default -> { }
                }
            } else if (nal.remaining() >= 2) {
                switch (H265.nalType(nal)) {
                    case H265.NAL_VPS -> vps.add(nal);
                    case H265.NAL_SPS -> sps.add(nal);
                    case H265.NAL_PPS -> pps.add(nal);
                    default -> { }
                }
            }
        }
        List<ByteBuffer> out = new ArrayList<>(vps);
        out.addAll(sps);
        out.addAll(pps);
        return out;
    }

    private static boolean complete(Codec codec, List<ByteBuffer> sets) {
        return codec == Codec.H264 ? count(codec, sets, H264.NAL_SPS) > 0 && count(codec, sets, H264.NAL_PPS) > 0
                : count(codec, sets, H265.NAL_VPS) > 0 && count(codec, sets, H265.NAL_SPS) > 0
                        && count(codec, sets, H265.NAL_PPS) > 0;
    }

    private static long count(Codec codec, List<ByteBuffer> sets, int type) {
        return sets.stream().filter(n -> (codec == Codec.H264 ? H264.nalType(n) : H265.nalType(n)) == type).count();
    }

    private List<ByteBuffer> ofType(int type) {
        return parameterSets.stream()
                .filter(n -> (video == Codec.H264 ? H264.nalType(n) : H265.nalType(n)) == type).toList();
    }

    /** The fmtp parameters of the video track. */
    String videoFmtp() {
        if (video == Codec.H264) {
            List<ByteBuffer> sps = ofType(H264.NAL_SPS);
            ByteBuffer first = sps.get(0);
            String profileLevelId = first.remaining() >= 4
                    ? HexFormat.of().withUpperCase().formatHex(bytes(first), 1, 4) : null;
            StringBuilder sb = new StringBuilder("packetization-mode=1");
            if (profileLevelId != null) {
                sb.append(";profile-level-id=").append(profileLevelId);
            }
            sb.append(";sprop-parameter-sets=").append(base64(sps)).append(',').append(base64(ofType(H264.NAL_PPS)));
            return sb.toString();
        }
        return "sprop-vps=" + base64(ofType(H265.NAL_VPS)) + ";sprop-sps=" + base64(ofType(H265.NAL_SPS))
                + ";sprop-pps=" + base64(ofType(H265.NAL_PPS));
    }

    /** The session description announced to the server; {@code origin} is this host's address. */
    String sdp(String sessionName, String origin) {
        String ip = origin.contains(":") ? "IP6" : "IP4";
        StringBuilder sb = new StringBuilder();
        sb.append("v=0\r\n");
        sb.append("o=- 0 0 IN ").append(ip).append(' ').append(origin).append("\r\n");
        sb.append("s=").append(sessionName).append("\r\n");
        sb.append("c=IN ").append(ip).append(' ').append(ip.equals("IP6") ? "::" : "0.0.0.0").append("\r\n");
        sb.append("t=0 0\r\n");
        sb.append("a=tool:flux\r\n");
        sb.append("m=video 0 RTP/AVP ").append(VIDEO_PAYLOAD_TYPE).append("\r\n");
        sb.append("a=rtpmap:").append(VIDEO_PAYLOAD_TYPE).append(' ')
                .append(video.name().toUpperCase(Locale.ROOT)).append("/90000\r\n");
        sb.append("a=fmtp:").append(VIDEO_PAYLOAD_TYPE).append(' ').append(videoFmtp()).append("\r\n");
        sb.append("a=control:").append(VIDEO_CONTROL).append("\r\n");
        if (audio != null) {
            int pt = audioPayloadType(audio);
            sb.append("m=audio 0 RTP/AVP ").append(pt).append("\r\n");
            sb.append("a=rtpmap:").append(pt).append(' ').append(audio == Codec.G711A ? "PCMA" : "PCMU")
                    .append("/8000\r\n");
            sb.append("a=control:").append(AUDIO_CONTROL).append("\r\n");
        }
        return sb.toString();
    }

    private static String base64(List<ByteBuffer> nals) {
        List<String> parts = new ArrayList<>(nals.size());
        for (ByteBuffer n : nals) {
            parts.add(Base64.getEncoder().encodeToString(bytes(n)));
        }
        return String.join(",", parts);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
