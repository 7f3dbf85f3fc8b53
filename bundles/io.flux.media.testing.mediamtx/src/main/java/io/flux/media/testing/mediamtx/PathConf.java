package io.flux.media.testing.mediamtx;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * MediaMTX's path configuration ({@code conf.Path}): default values, the fields its JSON decoder knows, and the
 * checks {@code Path.Validate} makes. Failures are {@link ApiError}s carrying the real server's message.
 */
final class PathConf {

    private static final Pattern NAME = Pattern.compile("^[0-9a-zA-Z_\\-/.]+$");
    // Go's time.ParseDuration syntax, plus the 'd' unit MediaMTX's conf.Duration adds (recordDeleteAfter: 1d).
    private static final Pattern GO_DURATION =
            Pattern.compile("^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h|d))+)$");
    private static final Set<String> DURATION_FIELDS = Set.of("recordPartDuration", "recordSegmentDuration",
            "recordDeleteAfter", "sourceOnDemandStartTimeout", "sourceOnDemandCloseAfter", "runOnDemandStartTimeout",
            "runOnDemandCloseAfter", "whepHandshakeTimeout", "whepSTUNGatherTimeout", "whepTrackGatherTimeout");
    private static final Set<String> RTSP_TRANSPORTS = Set.of("automatic", "udp", "multicast", "tcp");
    private static final Set<String> RTSP_RANGE_TYPES = Set.of("", "clock", "npt", "smpte");
    private static final Set<String> RECORD_FORMATS = Set.of("fmp4", "mpegts");

    /**
     * Every field of PathConf in openapi.yaml with its JSON type (b boolean, i integer, n number, s string, a array).
     * A body field outside this set is {@code json: unknown field "x"}.
     */
    private static final Map<String, Character> KNOWN = new LinkedHashMap<>();

    static {
        String spec = "alwaysAvailable:b alwaysAvailableFile:s alwaysAvailableTracks:a disablePublisherOverride:b "
                + "fallback:s forward:a maxReaders:i moqTransport:s mpegtsUDPReadBufferSize:i name:s "
                + "overridePublisher:b playback:b publishIPs:a publishPass:s publishUser:s readIPs:a readPass:s "
                + "readUser:s record:b recordDeleteAfter:s recordFormat:s recordMaxPartSize:s recordPartDuration:s "
                + "recordPath:s recordSegmentDuration:s rpiCameraAWB:s rpiCameraAWBGains:a rpiCameraAfMode:s "
                + "rpiCameraAfRange:s rpiCameraAfSpeed:s rpiCameraAfWindow:s rpiCameraBitrate:i "
                + "rpiCameraBrightness:n rpiCameraCamID:i rpiCameraCodec:s rpiCameraContrast:n rpiCameraDenoise:s "
                + "rpiCameraEV:n rpiCameraExposure:s rpiCameraFPS:n rpiCameraFlickerPeriod:i rpiCameraGain:n "
                + "rpiCameraH264Level:s rpiCameraH264Profile:s rpiCameraHDR:b rpiCameraHFlip:b "
                + "rpiCameraHardwareH264Level:s rpiCameraHardwareH264Profile:s rpiCameraHeight:i "
                + "rpiCameraIDRPeriod:i rpiCameraJPEGQuality:i rpiCameraLensPosition:n rpiCameraLevel:s "
                + "rpiCameraMJPEGQuality:i rpiCameraMetering:s rpiCameraMode:s rpiCameraProfile:s rpiCameraROI:s "
                + "rpiCameraSaturation:n rpiCameraSecondary:b rpiCameraSharpness:n rpiCameraShutter:i "
                + "rpiCameraSoftwareH264Level:s rpiCameraSoftwareH264Profile:s rpiCameraTextOverlay:s "
                + "rpiCameraTextOverlayEnable:b rpiCameraTuningFile:s rpiCameraVFlip:b rpiCameraWidth:i rtpSDP:s "
                + "rtpUDPReadBufferSize:i rtspAnyPort:b rtspDemuxMpegts:b rtspRangeStart:s rtspRangeType:s "
                + "rtspScale:s rtspTransport:s rtspUDPReadBufferSize:i rtspUDPSourcePortRange:a runOnAvailable:s "
                + "runOnAvailableRestart:b runOnDemand:s runOnDemandCloseAfter:s runOnDemandRestart:b "
                + "runOnDemandStartTimeout:s runOnInit:s runOnInitRestart:b runOnNotReady:s runOnOffline:s "
                + "runOnOnline:s runOnOnlineRestart:b runOnRead:s runOnReadRestart:b runOnReady:s "
                + "runOnReadyRestart:b runOnRecordSegmentComplete:s runOnRecordSegmentCreate:s runOnUnDemand:s "
                + "runOnUnavailable:s runOnUnread:s source:s sourceAnyPortEnable:b sourceFingerprint:s "
                + "sourceOnDemand:b sourceOnDemandCloseAfter:s sourceOnDemandStartTimeout:s sourceProtocol:s "
                + "sourceRedirect:s srtPublishPassphrase:s srtReadPassphrase:s useAbsoluteTimestamp:b "
                + "whepBearerToken:s whepHandshakeTimeout:s whepSTUNGatherTimeout:s whepTrackGatherTimeout:s";
        for (String entry : spec.split(" ")) {
            KNOWN.put(entry.substring(0, entry.indexOf(':')), entry.charAt(entry.length() - 1));
        }
    }

    /** Deprecated fields MediaMTX still decodes and moves to their successors; they are never answered back. */
    private static final Map<String, String> DEPRECATED_ALIASES = Map.of(
            "sourceProtocol", "rtspTransport",
            "sourceAnyPortEnable", "rtspAnyPort",
            "runOnReady", "runOnOnline",
            "runOnReadyRestart", "runOnOnlineRestart",
            "runOnNotReady", "runOnOffline");
    /** Deprecated fields that are decoded but have no effect here (auth and IP lists moved to global config). */
    private static final Set<String> DEPRECATED_IGNORED = Set.of("disablePublisherOverride", "fallback",
            "mpegtsUDPReadBufferSize", "playback", "publishIPs", "publishPass", "publishUser", "readIPs", "readPass",
            "readUser", "rpiCameraHardwareH264Level", "rpiCameraHardwareH264Profile", "rpiCameraJPEGQuality",
            "rpiCameraLevel", "rpiCameraProfile", "rpiCameraSoftwareH264Level", "rpiCameraSoftwareH264Profile",
            "rtpUDPReadBufferSize", "rtspUDPReadBufferSize");

    private PathConf() {
    }

    /** The path defaults of MediaMTX v1.20.1's mediamtx.yml ({@code pathDefaults}), for a path called name. */
    static Map<String, Object> defaults(String name) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        // General
        c.put("source", "publisher");
        c.put("sourceFingerprint", "");
        c.put("sourceOnDemand", false);
        c.put("sourceOnDemandStartTimeout", "10s");
        c.put("sourceOnDemandCloseAfter", "10s");
        c.put("maxReaders", 0);
        c.put("srtReadPassphrase", "");
        c.put("useAbsoluteTimestamp", false);
        c.put("alwaysAvailable", false);
        c.put("alwaysAvailableFile", "");
        c.put("alwaysAvailableTracks", List.of());
        // Record
        c.put("record", false);
        c.put("recordPath", "./recordings/%path/%Y-%m-%d_%H-%M-%S-%f");
        c.put("recordFormat", "fmp4");
        c.put("recordPartDuration", "1s");
        c.put("recordMaxPartSize", "50M");
        c.put("recordSegmentDuration", "1h");
        c.put("recordDeleteAfter", "1d");
        // Forward
        c.put("forward", List.of());
        // Publisher source
        c.put("overridePublisher", true);
        c.put("srtPublishPassphrase", "");
        // RTSP source
        c.put("rtspTransport", "automatic");
        c.put("rtspAnyPort", false);
        c.put("rtspRangeType", "");
        c.put("rtspRangeStart", "");
        c.put("rtspUDPSourcePortRange", List.of(10000, 65535));
        c.put("rtspDemuxMpegts", false);
        // Redirect source
        c.put("sourceRedirect", "");
        // Raspberry Pi Camera source
        c.put("rpiCameraCamID", 0);
        c.put("rpiCameraSecondary", false);
        c.put("rpiCameraWidth", 1920);
        c.put("rpiCameraHeight", 1080);
        c.put("rpiCameraHFlip", false);
        c.put("rpiCameraVFlip", false);
        c.put("rpiCameraBrightness", 0);
        c.put("rpiCameraContrast", 1);
        c.put("rpiCameraSaturation", 1);
        c.put("rpiCameraSharpness", 1);
        c.put("rpiCameraExposure", "normal");
        c.put("rpiCameraAWB", "auto");
        c.put("rpiCameraAWBGains", List.of(0, 0));
        c.put("rpiCameraDenoise", "off");
        c.put("rpiCameraShutter", 0);
        c.put("rpiCameraMetering", "centre");
        c.put("rpiCameraGain", 0);
        c.put("rpiCameraEV", 0);
        c.put("rpiCameraROI", "");
        c.put("rpiCameraHDR", false);
        c.put("rpiCameraTuningFile", "");
        c.put("rpiCameraMode", "");
        c.put("rpiCameraFPS", 30);
        c.put("rpiCameraAfMode", "continuous");
        c.put("rpiCameraAfRange", "normal");
        c.put("rpiCameraAfSpeed", "normal");
        c.put("rpiCameraLensPosition", 0);
        c.put("rpiCameraAfWindow", "");
        c.put("rpiCameraFlickerPeriod", 0);
        c.put("rpiCameraTextOverlayEnable", false);
        c.put("rpiCameraTextOverlay", "%Y-%m-%d %H:%M:%S - MediaMTX");
        c.put("rpiCameraCodec", "auto");
        c.put("rpiCameraIDRPeriod", 60);
        c.put("rpiCameraBitrate", 5000000);
        c.put("rpiCameraH264Profile", "main");
        c.put("rpiCameraH264Level", "4.1");
        c.put("rpiCameraMJPEGQuality", 60);
        // RTP source
        c.put("rtpSDP", "");
        // WHEP source
        c.put("whepBearerToken", "");
        // Hooks
        c.put("runOnInit", "");
        c.put("runOnInitRestart", false);
        c.put("runOnDemand", "");
        c.put("runOnDemandRestart", false);
        c.put("runOnDemandStartTimeout", "10s");
        c.put("runOnDemandCloseAfter", "10s");
        c.put("runOnUnDemand", "");
        c.put("runOnOnline", "");
        c.put("runOnOnlineRestart", false);
        c.put("runOnOffline", "");
        c.put("runOnAvailable", "");
        c.put("runOnAvailableRestart", false);
        c.put("runOnUnavailable", "");
        c.put("runOnRead", "");
        c.put("runOnReadRestart", false);
        c.put("runOnUnread", "");
        c.put("runOnRecordSegmentCreate", "");
        c.put("runOnRecordSegmentComplete", "");
        return c;
    }

    /** Whether name is a valid path name (the API answers 400 "invalid name" otherwise). */
    static boolean validName(String name) {
        if (name == null || name.isEmpty() || !NAME.matcher(name).matches()) {
            return false;
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies decoded body fields (JSON values as Jackson maps them to Java: Boolean, Number, String, List, Map,
     * null) onto conf, as Go's decoder with DisallowUnknownFields into the path struct does: unknown field or wrong
     * type is an error, null leaves the field unchanged.
     */
    static void apply(Map<String, Object> conf, Map<String, Object> body) {
        for (Map.Entry<String, Object> e : body.entrySet()) {
            String field = e.getKey();
            Character type = KNOWN.get(field);
            if (type == null) {
                throw new ApiError(400, "json: unknown field \"" + field + "\"");
            }
            Object value = e.getValue();
            if (value == null) {
                continue;
            }
            checkType(field, type, value);
        }
        for (Map.Entry<String, Object> e : body.entrySet()) {
            String field = e.getKey();
            Object value = e.getValue();
            if (value == null || field.equals("name") || DEPRECATED_IGNORED.contains(field)) {
                continue;
            }
            String target = DEPRECATED_ALIASES.getOrDefault(field, field);
            if (target.equals(field) || !body.containsKey(target)) {
                conf.put(target, value);
            }
        }
    }

    private static void checkType(String field, char type, Object value) {
        boolean ok = switch (type) {
            case 'b' -> value instanceof Boolean;
            case 'i' -> value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
            case 'n' -> value instanceof Number;
            case 's' -> value instanceof String;
            case 'a' -> value instanceof List;
            default -> false;
        };
        if (!ok) {
            throw new ApiError(400, "json: cannot unmarshal " + jsonType(value) + " into Go struct field Path."
                    + field + " of type " + goType(type));
        }
        if (type == 'i' && value instanceof Number n && n.longValue() < 0 && !field.equals("maxReaders")) {
            throw new ApiError(400, "json: cannot unmarshal number " + n + " into Go struct field Path." + field
                    + " of type uint64");
        }
    }

    private static String jsonType(Object value) {
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Number n) {
            return "number " + n;
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof List) {
            return "array";
        }
        return "object";
    }

    private static String goType(char type) {
        return switch (type) {
            case 'b' -> "bool";
            case 'i' -> "int";
            case 'n' -> "float64";
            case 'a' -> "[]string";
            default -> "string";
        };
    }

    /** {@code Path.Validate}: the checks whose failure the API answers 400. */
    static void validate(Map<String, Object> conf) {
        String source = (String) conf.get("source");
        boolean publisher = source.equals("publisher");
        if (!publisher && !source.equals("redirect") && !source.equals("rpiCamera")) {
            validateSourceUrl(source);
        }
        if (publisher && Boolean.TRUE.equals(conf.get("sourceOnDemand"))) {
            throw new ApiError(400, "'sourceOnDemand' is useless when source is 'publisher'");
        }
        if (source.equals("redirect") && ((String) conf.get("sourceRedirect")).isEmpty()) {
            throw new ApiError(400, "'sourceRedirect' must be filled");
        }
        for (String field : DURATION_FIELDS) {
            Object value = conf.get(field);
            if (value instanceof String s && !GO_DURATION.matcher(s).matches()) {
                throw new ApiError(400, "time: invalid duration \"" + s + "\"");
            }
        }
        if (!RECORD_FORMATS.contains(conf.get("recordFormat"))) {
            throw new ApiError(400, "invalid record format '" + conf.get("recordFormat") + "'");
        }
        if (!RTSP_TRANSPORTS.contains(conf.get("rtspTransport"))) {
            throw new ApiError(400, "invalid protocol '" + conf.get("rtspTransport") + "'");
        }
        if (!RTSP_RANGE_TYPES.contains(conf.get("rtspRangeType"))) {
            throw new ApiError(400, "invalid rtsp range type: '" + conf.get("rtspRangeType") + "'");
        }
    }

    private static void validateSourceUrl(String source) {
        String scheme = source.contains("://") ? source.substring(0, source.indexOf("://")) : "";
        switch (scheme) {
            case "rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "udp+mpegts", "unix+mpegts", "udp+rtp",
                    "unix+rtp", "srt", "whep", "wheps" -> {
                try {
                    URI uri = new URI(source);
                    if (!scheme.startsWith("unix") && (uri.getHost() == null || uri.getHost().isEmpty())
                            && uri.getAuthority() == null) {
                        throw new ApiError(400, "'" + source + "' is not a valid URL");
                    }
                } catch (URISyntaxException e) {
                    throw new ApiError(400, "'" + source + "' is not a valid URL");
                }
            }
            default -> throw new ApiError(400, "invalid source: '" + source + "'");
        }
    }

    /** The runtime source type MediaMTX reports for a pull source URL once it is ready. */
    static String staticSourceType(String source) {
        String scheme = source.contains("://") ? source.substring(0, source.indexOf("://")) : source;
        return switch (scheme) {
            case "rtsp", "rtsps" -> "rtspSource";
            case "rtmp", "rtmps" -> "rtmpSource";
            case "http", "https" -> "hlsSource";
            case "udp", "udp+mpegts", "unix+mpegts" -> "mpegtsSource";
            case "udp+rtp", "unix+rtp" -> "rtpSource";
            case "srt" -> "srtSource";
            case "whep", "wheps" -> "webRTCSource";
            case "rpiCamera" -> "rpiCameraSource";
            case "redirect" -> "redirect";
            default -> "rtspSession";
        };
    }
}
