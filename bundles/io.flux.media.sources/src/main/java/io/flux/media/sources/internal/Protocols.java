package io.flux.media.sources.internal;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** The protocols a source can speak, and which one a pull URL's scheme means to MediaMTX. */
final class Protocols {

    static final String RTSP = "rtsp";
    static final String RTMP = "rtmp";
    static final String HLS = "hls";
    static final String WEBRTC = "webrtc";
    static final String SRT = "srt";

    static final Set<String> ALL = Set.of(RTSP, RTMP, HLS, WEBRTC, SRT);
    /** What a client can publish to MediaMTX with (HLS is read-only). */
    static final Set<String> PUSH = Set.of(RTSP, RTMP, WEBRTC, SRT);
    /** push_url is MediaMTX's RTMP address, so a push source without a protocol says rtmp. */
    static final String PUSH_DEFAULT = RTMP;

    private Protocols() {
    }

    /** The URL schemes MediaMTX can pull from, as they appear in the {@code source} field. */
    enum Scheme {
        /** The scheme names the protocol. */
        KNOWN,
        /** http(s): HLS when the path is a playlist, otherwise only when the caller says {@code hls}. */
        HTTP,
        /** Nothing MediaMTX pulls. */
        UNSUPPORTED
    }

    static Scheme classify(URI url) {
        String s = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "rtsp", "rtsps", "rtmp", "rtmps", "srt", "whep", "wheps" -> Scheme.KNOWN;
            case "http", "https" -> Scheme.HTTP;
            default -> Scheme.UNSUPPORTED;
        };
    }

    /**
     * The protocol a pull URL's scheme implies: rtsp(s) -> rtsp, rtmp(s) -> rtmp, http(s) to a {@code .m3u8} -> hls,
     * srt -> srt, whep(s) -> webrtc; null when the scheme alone does not tell (http(s) to something else) or is not
     * supported.
     */
    static String infer(URI url) {
        String s = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "rtsp", "rtsps" -> RTSP;
            case "rtmp", "rtmps" -> RTMP;
            case "srt" -> SRT;
            case "whep", "wheps" -> WEBRTC;
            case "http", "https" -> {
                String path = url.getRawPath() == null ? "" : url.getRawPath().toLowerCase(Locale.ROOT);
                yield path.endsWith(".m3u8") ? HLS : null;
            }
            default -> null;
        };
    }
}
