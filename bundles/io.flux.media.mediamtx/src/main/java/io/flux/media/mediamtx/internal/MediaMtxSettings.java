package io.flux.media.mediamtx.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The adapter's configuration, checked: addresses parse and carry the right scheme, the recording values are ones
 * MediaMTX accepts. Built once per configuration; a client is built from one of these and never changes.
 *
 * @param apiAddress      the control API, without a trailing slash
 * @param user            empty for no authentication
 * @param password        never logged, never in {@link #toString()}
 * @param rtspAddress     null when not configured; likewise the other client addresses
 */
record MediaMtxSettings(URI apiAddress, String user, String password, String rtspAddress, String rtmpAddress,
        String hlsAddress, String webrtcAddress, String srtAddress, String playbackAddress, String recordPath,
        String recordFormat, String segmentDuration, Duration requestTimeout, Duration connectTimeout) {

    static final Set<String> RECORD_FORMATS = Set.of("fmp4", "mpegts");

    // MediaMTX durations: Go's time.ParseDuration units plus "d" (days), e.g. 1h, 90s, 1h30m, 1d.
    private static final Pattern DURATION = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$");

    static MediaMtxSettings from(MediaMtxServer.Config config) {
        List<String> problems = new ArrayList<>();
        URI api = address("api.address", config.api_address(), true, Set.of("http", "https"), problems);
        String rtsp = text(address("rtsp.address", config.rtsp_address(), false, Set.of("rtsp", "rtsps"), problems));
        String rtmp = text(address("rtmp.address", config.rtmp_address(), false, Set.of("rtmp", "rtmps"), problems));
        String hls = text(address("hls.address", config.hls_address(), false, Set.of("http", "https"), problems));
        String webrtc = text(address("webrtc.address", config.webrtc_address(), false, Set.of("http", "https"),
                problems));
        String srt = text(address("srt.address", config.srt_address(), false, Set.of("srt"), problems));
        String playback = text(address("playback.address", config.playback_address(), false,
                Set.of("http", "https"), problems));

        String recordPath = trim(config.record_path());
        if (recordPath.isEmpty()) {
            problems.add("record.path is empty");
        } else if (!recordPath.contains("%path")) {
            // MediaMTX refuses a recordPath without %path: every path would write into the same files.
            problems.add("record.path '" + recordPath + "' must contain %path");
        }
        String recordFormat = trim(config.record_format()).toLowerCase(Locale.ROOT);
        if (!RECORD_FORMATS.contains(recordFormat)) {
            problems.add("record.format '" + config.record_format() + "' is not fmp4 or mpegts");
        }
        String segmentDuration = trim(config.segment_duration());
        if (!DURATION.matcher(segmentDuration).matches()) {
            problems.add("segment.duration '" + config.segment_duration()
                    + "' is not a MediaMTX duration such as 1h, 30m or 90s");
        }
        if (config.request_timeout_ms() < 1) {
            problems.add("request.timeout.ms must be at least 1, not " + config.request_timeout_ms());
        }
        if (config.connect_timeout_ms() < 1) {
            problems.add("connect.timeout.ms must be at least 1, not " + config.connect_timeout_ms());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid MediaMTX adapter configuration: " + String.join("; ", problems));
        }
        return new MediaMtxSettings(api, trim(config.api_user()), config._api_password() == null ? ""
                : config._api_password(), rtsp, rtmp, hls, webrtc, srt, playback, recordPath, recordFormat,
                segmentDuration, Duration.ofMillis(config.request_timeout_ms()),
                Duration.ofMillis(config.connect_timeout_ms()));
    }

    boolean authenticates() {
        return !user.isEmpty();
    }

    /** An address without a trailing slash, or null when empty and optional; adds to {@code problems} if bad. */
    private static URI address(String key, String value, boolean required, Set<String> schemes,
            List<String> problems) {
        String text = trim(value);
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            if (required) {
                problems.add(key + " is empty");
            }
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            problems.add(key + " '" + text + "' is not a URL: " + e.getReason());
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || !schemes.contains(scheme)) {
            problems.add(key + " '" + text + "' must start with " + String.join(" or ",
                    schemes.stream().sorted().map(s -> s + "://").toList()));
            return null;
        }
        if (uri.getHost() == null) {
            problems.add(key + " '" + text + "' has no host");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            // Keeps passwords out of addresses, which end up in logs, messages and client URLs.
            problems.add(key + " must not contain credentials (use api.user and .api.password)");
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.add(key + " '" + text + "' must not have a query or fragment");
            return null;
        }
        return uri;
    }

    private static String text(URI uri) {
        return uri == null ? null : uri.toString();
    }

    private static String trim(String value) {
        return value == null ? "" : value.trim();
    }

    @Override
    public String toString() {
        return "MediaMtxSettings[api=" + apiAddress + ", user=" + (user.isEmpty() ? "(none)" : user)
                + ", rtsp=" + rtspAddress + ", rtmp=" + rtmpAddress + ", hls=" + hlsAddress + ", webrtc="
                + webrtcAddress + ", srt=" + srtAddress + ", playback=" + playbackAddress + ", recordPath="
                + recordPath + ", recordFormat=" + recordFormat + ", segmentDuration=" + segmentDuration
                + ", requestTimeout=" + requestTimeout.toMillis() + "ms, connectTimeout=" + connectTimeout.toMillis()
                + "ms]";
    }
}
