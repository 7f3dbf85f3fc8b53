package io.flux.media.testing.mediamtx;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;

/** The v3 control API routes, answering as MediaMTX v1.20.1 does. */
final class ApiHandler implements Front.Routes {

    private static final Pattern UNEXPECTED_CHAR = Pattern.compile("Unexpected character \\('(.)'");

    private final MediaMtxStandIn standIn;
    private final StandInState state;

    ApiHandler(MediaMtxStandIn standIn, StandInState state) {
        this.standIn = standIn;
        this.state = state;
    }

    @Override
    public Reply handle(Front.Call call) {
        try {
            return route(call);
        } catch (ApiError e) {
            return Reply.error(e.status, e.getMessage());
        }
    }

    private Reply route(Front.Call call) {
        String m = call.method();
        String p = call.path();
        if (p.equals("/v3/info")) {
            return m.equals("GET") ? info() : Reply.noRoute();
        }
        if (p.equals("/v3/config/paths/list") && m.equals("GET")) {
            return Reply.json(200, page(state.confList(), call.query()));
        }
        if (p.startsWith("/v3/config/paths/get/") && m.equals("GET")) {
            return Reply.json(200, state.conf(name(p, "/v3/config/paths/get/")));
        }
        if (p.startsWith("/v3/config/paths/add/") && m.equals("POST")) {
            String name = name(p, "/v3/config/paths/add/");
            state.add(name, body(call));
            return Reply.ok();
        }
        if (p.startsWith("/v3/config/paths/patch/") && m.equals("PATCH")) {
            String name = name(p, "/v3/config/paths/patch/");
            state.patch(name, body(call));
            return Reply.ok();
        }
        if (p.startsWith("/v3/config/paths/replace/") && m.equals("POST")) {
            String name = name(p, "/v3/config/paths/replace/");
            state.replace(name, body(call));
            return Reply.ok();
        }
        if (p.startsWith("/v3/config/paths/delete/") && m.equals("DELETE")) {
            state.delete(name(p, "/v3/config/paths/delete/"));
            return Reply.ok();
        }
        if (p.equals("/v3/paths/list") && m.equals("GET")) {
            return Reply.json(200, page(state.pathList(), call.query()));
        }
        if (p.startsWith("/v3/paths/get/") && m.equals("GET")) {
            return Reply.json(200, state.path(name(p, "/v3/paths/get/")));
        }
        if (p.equals("/v3/recordings/list") && m.equals("GET")) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (String name : state.recordedPaths()) {
                items.add(recording(name, state.segments(name)));
            }
            return Reply.json(200, page(items, call.query()));
        }
        if (p.startsWith("/v3/recordings/get/") && m.equals("GET")) {
            String name = name(p, "/v3/recordings/get/");
            return Reply.json(200, recording(name, state.segments(name)));
        }
        if (p.equals("/v3/recordings/deletesegment") && m.equals("DELETE")) {
            return deleteSegment(call.query());
        }
        return Reply.noRoute();
    }

    private Reply info() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", MediaMtxStandIn.VERSION);
        body.put("started", GoText.time(standIn.started()));
        return Reply.json(200, body);
    }

    /** The {name} parameter: the rest of the URL path after the prefix, validated as MediaMTX does. */
    private static String name(String path, String prefix) {
        String name = path.substring(prefix.length());
        if (!PathConf.validName(name)) {
            throw new ApiError(400, "invalid name");
        }
        return name;
    }

    /** Decodes a request body as Go's json.Decoder does for MediaMTX (first JSON value, must be an object). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(Front.Call call) {
        if (call.bodyTooLarge()) {
            throw new ApiError(400, "http: request body too large");
        }
        JsonNode node;
        try {
            node = Reply.JSON.readTree(call.body());
        } catch (JsonEOFException e) {
            throw new ApiError(400, "unexpected EOF");
        } catch (JsonParseException e) {
            Matcher matcher = UNEXPECTED_CHAR.matcher(String.valueOf(e.getOriginalMessage()));
            throw new ApiError(400, matcher.find()
                    ? "invalid character '" + matcher.group(1) + "' looking for beginning of value"
                    : "invalid character in JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiError(400, e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new ApiError(400, "EOF");
        }
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new ApiError(400, "json: cannot unmarshal " + goKind(node) + " into Go value of type conf.Path");
        }
        return Reply.JSON.convertValue(node, LinkedHashMap.class);
    }

    private static String goKind(JsonNode node) {
        if (node.isArray()) {
            return "array";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        return "number";
    }

    /** MediaMTX's paginate(): itemsPerPage (default 100) and page (default 0) as 31-bit unsigned integers. */
    static Map<String, Object> page(List<?> all, Map<String, String> query) {
        int itemsPerPage = uint31(query.get("itemsPerPage"), 100);
        int page = uint31(query.get("page"), 0);
        if (itemsPerPage == 0) {
            throw new ApiError(400, "invalid items per page");
        }
        int count = all.size();
        int pageCount = count == 0 ? 0 : (count + itemsPerPage - 1) / itemsPerPage;
        int from = (int) Math.min((long) page * itemsPerPage, count);
        int to = (int) Math.min(((long) page + 1) * itemsPerPage, count);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("itemCount", count);
        body.put("pageCount", pageCount);
        body.put("items", all.subList(from, to));
        return body;
    }

    private static int uint31(String value, int dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        if (!value.matches("[0-9]+")) {
            throw new ApiError(400, "strconv.ParseUint: parsing \"" + value + "\": invalid syntax");
        }
        if (value.length() > 10 || Long.parseLong(value) > Integer.MAX_VALUE) {
            throw new ApiError(400, "strconv.ParseUint: parsing \"" + value + "\": value out of range");
        }
        return Integer.parseInt(value);
    }

    private static Map<String, Object> recording(String name, TreeMap<Instant, Duration> segments) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Instant start : segments.keySet()) {
            list.add(Map.of("start", GoText.time(start)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("segments", list);
        return body;
    }

    private Reply deleteSegment(Map<String, String> query) {
        String name = query.getOrDefault("path", "");
        Instant start = GoText.parseTime(query.get("start"));
        if (start == null) {
            throw new ApiError(400, "invalid 'start' parameter: parsing time \"" + query.getOrDefault("start", "")
                    + "\" as RFC3339: cannot parse");
        }
        if (!PathConf.validName(name)) {
            throw new ApiError(400, "invalid name");
        }
        Map<String, Object> conf;
        try {
            conf = state.conf(name);
        } catch (ApiError e) {
            throw new ApiError(400, "path '" + name + "' is not configured");
        }
        // MediaMTX removes the file the segment start encodes to (microsecond precision); missing file: 400.
        Instant micros = start.truncatedTo(ChronoUnit.MICROS);
        TreeMap<Instant, Duration> segments;
        try {
            segments = state.segments(name);
        } catch (ApiError e) {
            segments = new TreeMap<>();
        }
        Instant match = segments.keySet().stream()
                .filter(s -> s.truncatedTo(ChronoUnit.MICROS).equals(micros)).findFirst().orElse(null);
        if (match == null) {
            throw new ApiError(400, "remove " + segmentFile(conf, name, micros) + ": no such file or directory");
        }
        state.deleteSegment(name, match);
        return Reply.ok();
    }

    /** recordstore.Path.Encode: the file a segment starting at start is written to. */
    static String segmentFile(Map<String, Object> conf, String name, Instant start) {
        ZonedDateTime t = start.atZone(ZoneOffset.UTC);
        String file = ((String) conf.get("recordPath"))
                .replace("%path", name)
                .replace("%Y", String.format("%04d", t.getYear()))
                .replace("%m", String.format("%02d", t.getMonthValue()))
                .replace("%d", String.format("%02d", t.getDayOfMonth()))
                .replace("%H", String.format("%02d", t.getHour()))
                .replace("%M", String.format("%02d", t.getMinute()))
                .replace("%S", String.format("%02d", t.getSecond()))
                .replace("%f", String.format("%06d", t.getNano() / 1000));
        return file + ("mpegts".equals(conf.get("recordFormat")) ? ".ts" : ".mp4");
    }
}
