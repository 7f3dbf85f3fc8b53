package io.flux.media.testing.mediamtx;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The playback server: {@code /list} merges the simulated segments into contiguous spans, {@code /get} answers a
 * small MP4 (ftyp + moov/mvhd carrying the served duration, no tracks) for a span that has recordings.
 */
final class PlaybackHandler implements Front.Routes {

    /** Segments closer than this are one span, as MediaMTX's concatenation tolerance. */
    private static final Duration CONCATENATION_TOLERANCE = Duration.ofSeconds(1);

    private record Span(Instant start, Duration duration) {
        Instant end() {
            return start.plus(duration);
        }
    }

    private final MediaMtxStandIn standIn;
    private final StandInState state;

    PlaybackHandler(MediaMtxStandIn standIn, StandInState state) {
        this.standIn = standIn;
        this.state = state;
    }

    @Override
    public Reply handle(Front.Call call) {
        try {
            if (!call.method().equals("GET")) {
                return Reply.noRoute();
            }
            return switch (call.path()) {
                case "/list" -> list(call);
                case "/get" -> get(call);
                default -> Reply.noRoute();
            };
        } catch (ApiError e) {
            return Reply.error(e.status, e.getMessage());
        }
    }

    private Reply list(Front.Call call) {
        Map<String, String> q = call.query();
        String name = q.getOrDefault("path", "");
        Instant start = optionalTime(q, "start");
        Instant end = optionalTime(q, "end");
        List<Span> spans = spans(name, start, end);
        if (spans.isEmpty()) {
            throw new ApiError(404, "no recordings found");
        }
        String host = call.host() != null ? call.host() : "127.0.0.1:" + standIn.playbackPort();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Span span : spans) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("start", GoText.time(span.start()));
            entry.put("duration", GoText.jsonSeconds(span.duration()));
            // url.Values.Encode(): keys sorted, QueryEscape'd values.
            entry.put("url", "http://" + host + "/get?duration=" + escape(GoText.jsonSeconds(span.duration())
                    .toPlainString()) + "&path=" + escape(name) + "&start=" + escape(GoText.time(span.start())));
            out.add(entry);
        }
        return Reply.json(200, out);
    }

    private Reply get(Front.Call call) {
        Map<String, String> q = call.query();
        String name = q.getOrDefault("path", "");
        Instant start = GoText.parseTime(q.get("start"));
        if (start == null) {
            throw new ApiError(400, "invalid 'start' parameter: parsing time \"" + q.getOrDefault("start", "")
                    + "\" as RFC3339: cannot parse");
        }
        Duration duration = GoText.parsePlaybackDuration(q.get("duration"));
        if (duration == null || duration.isNegative()) {
            throw new ApiError(400, "invalid 'duration' parameter: invalid duration \"" + q.getOrDefault("duration", "")
                    + "\"");
        }
        String format = q.getOrDefault("format", "fmp4");
        if (!format.equals("fmp4") && !format.equals("mp4")) {
            throw new ApiError(400, "invalid 'format' parameter: " + format);
        }
        List<Span> spans = spans(name, start, start.plus(duration));
        // The first span must cover the requested start, otherwise there is nothing to play from there.
        if (spans.isEmpty() || spans.get(0).start().isAfter(start)) {
            throw new ApiError(404, "no recordings found");
        }
        Duration served = Duration.between(start, spans.get(0).end());
        if (served.compareTo(duration) > 0) {
            served = duration;
        }
        return new Reply(200, Map.of("Content-Type", "video/mp4", "Accept-Ranges", "none"),
                mp4(format, served));
    }

    private static Instant optionalTime(Map<String, String> q, String key) {
        String value = q.get(key);
        if (value == null || value.isEmpty()) {
            return null;
        }
        Instant t = GoText.parseTime(value);
        if (t == null) {
            throw new ApiError(400, "invalid '" + key + "' parameter: parsing time \"" + value
                    + "\" as RFC3339: cannot parse");
        }
        return t;
    }

    /** Recorded spans of a path overlapping [start, end), merged and trimmed to the window. */
    private List<Span> spans(String name, Instant start, Instant end) {
        if (!PathConf.validName(name)) {
            throw new ApiError(400, "invalid name");
        }
        TreeMap<Instant, Duration> segments;
        try {
            segments = state.segments(name);
        } catch (ApiError e) {
            if (e.getMessage().startsWith("path ")) {
                throw e; // not configured: 400
            }
            return List.of();
        }
        List<Span> merged = new ArrayList<>();
        for (Map.Entry<Instant, Duration> e : segments.entrySet()) {
            Span seg = new Span(e.getKey(), e.getValue());
            if ((end != null && !seg.start().isBefore(end)) || (start != null && !seg.end().isAfter(start))) {
                continue;
            }
            if (!merged.isEmpty()) {
                Span last = merged.get(merged.size() - 1);
                if (!seg.start().isAfter(last.end().plus(CONCATENATION_TOLERANCE))) {
                    Instant newEnd = seg.end().isAfter(last.end()) ? seg.end() : last.end();
                    merged.set(merged.size() - 1, new Span(last.start(), Duration.between(last.start(), newEnd)));
                    continue;
                }
            }
            merged.add(seg);
        }
        List<Span> trimmed = new ArrayList<>();
        for (Span s : merged) {
            Instant from = start != null && s.start().isBefore(start) ? start : s.start();
            Instant to = end != null && s.end().isAfter(end) ? end : s.end();
            trimmed.add(new Span(from, Duration.between(from, to)));
        }
        return trimmed;
    }

    private static String escape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** ftyp + moov(mvhd): a well-formed MP4 header announcing the duration, with no tracks or samples. */
    static byte[] mp4(String format, Duration duration) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer ftyp = ByteBuffer.allocate(24);
        ftyp.putInt(24).put(ascii("ftyp")).put(ascii(format.equals("mp4") ? "isom" : "iso5")).putInt(0x200)
                .put(ascii("iso5")).put(ascii("mp41"));
        out.writeBytes(ftyp.array());
        ByteBuffer mvhd = ByteBuffer.allocate(108);
        mvhd.putInt(108).put(ascii("mvhd")).putInt(0); // version 0, flags 0
        mvhd.putInt(0).putInt(0); // creation, modification time
        mvhd.putInt(1000); // timescale: milliseconds
        mvhd.putInt((int) Math.min(duration.toMillis(), 0xFFFFFFFFL));
        mvhd.putInt(0x00010000).putShort((short) 0x0100).put(new byte[10]);
        int[] matrix = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
        for (int v : matrix) {
            mvhd.putInt(v);
        }
        mvhd.put(new byte[24]).putInt(1); // pre_defined, next_track_ID
        ByteBuffer moovHeader = ByteBuffer.allocate(8).putInt(8 + 108).put(ascii("moov"));
        out.writeBytes(moovHeader.array());
        out.writeBytes(mvhd.array());
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
