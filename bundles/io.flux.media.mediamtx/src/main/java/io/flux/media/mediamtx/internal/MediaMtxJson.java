package io.flux.media.mediamtx.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PlaybackSegment;

/**
 * Translation between MediaMTX's JSON and the API records. Reads the tree rather than binding classes, so fields
 * added by newer MediaMTX versions are ignored and the renamed ones ({@code ready} → {@code online},
 * {@code tracks} → {@code tracks2}, {@code bytesReceived} → {@code inboundBytes}) can be read in either spelling.
 */
final class MediaMtxJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private MediaMtxJson() {
    }

    /** The body of an add / patch / replace: only the fields that are set (MediaMTX refuses unknown ones). */
    static byte[] pathConfigBody(PathConfig config) {
        ObjectNode body = MAPPER.createObjectNode();
        if (config != null) {
            putIfSet(body, "source", config.source());
            if (config.sourceOnDemand() != null) {
                body.put("sourceOnDemand", config.sourceOnDemand());
            }
            if (config.record() != null) {
                body.put("record", config.record());
            }
            putIfSet(body, "recordPath", config.recordPath());
            putIfSet(body, "recordFormat", config.recordFormat());
            putIfSet(body, "recordSegmentDuration", config.recordSegmentDuration());
            putIfSet(body, "recordDeleteAfter", config.recordDeleteAfter());
        }
        return bytes(body);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize " + node, e);
        }
    }

    static PathConfig pathConfig(JsonNode node) {
        return new PathConfig(text(node, "name"), text(node, "source"), bool(node, "sourceOnDemand"),
                bool(node, "record"), text(node, "recordPath"), text(node, "recordFormat"),
                text(node, "recordSegmentDuration"), text(node, "recordDeleteAfter"));
    }

    static PathState pathState(JsonNode node) {
        boolean online = firstBoolean(node, "online", "available", "ready");
        Instant onlineTime = time(firstText(node, "onlineTime", "availableTime", "readyTime"));
        JsonNode source = node.path("source");
        String sourceType = source.isObject() ? text(source, "type") : null;
        long received = firstLong(node, "inboundBytes", "bytesReceived");
        long sent = firstLong(node, "outboundBytes", "bytesSent");
        JsonNode readers = node.path("readers");
        return new PathState(text(node, "name"), online, onlineTime, sourceType, tracks(node), received, sent,
                readers.isArray() ? readers.size() : 0);
    }

    /** Codec names: {@code tracks2[].codec} when present, else the older {@code tracks} strings. */
    static List<String> tracks(JsonNode node) {
        List<String> tracks = new ArrayList<>();
        JsonNode tracks2 = node.path("tracks2");
        if (tracks2.isArray()) {
            for (JsonNode track : tracks2) {
                String codec = text(track, "codec");
                if (codec != null) {
                    tracks.add(codec);
                }
            }
            return List.copyOf(tracks);
        }
        JsonNode old = node.path("tracks");
        if (old.isArray()) {
            for (JsonNode track : old) {
                if (track.isTextual()) {
                    tracks.add(track.asText());
                }
            }
        }
        return List.copyOf(tracks);
    }

    static <T> Page<T> page(JsonNode node, Function<JsonNode, T> item) {
        List<T> items = new ArrayList<>();
        for (JsonNode each : node.path("items")) {
            items.add(item.apply(each));
        }
        return new Page<>(node.path("itemCount").asInt(items.size()), node.path("pageCount").asInt(0),
                List.copyOf(items));
    }

    /** Segment start times of a recording, oldest first. */
    static List<Instant> recordingStarts(JsonNode node) {
        List<Instant> starts = new ArrayList<>();
        for (JsonNode segment : node.path("segments")) {
            Instant start = time(text(segment, "start"));
            if (start != null) {
                starts.add(start);
            }
        }
        starts.sort(Comparator.naturalOrder());
        return List.copyOf(starts);
    }

    static List<PlaybackSegment> playbackSegments(JsonNode node) {
        List<PlaybackSegment> segments = new ArrayList<>();
        for (JsonNode segment : node) {
            segments.add(new PlaybackSegment(time(text(segment, "start")), segment.path("duration").asDouble(0),
                    text(segment, "url")));
        }
        return List.copyOf(segments);
    }

    /** MediaMTX's {@code {"status":"error","error":"..."}} text, or null when the body is not that. */
    static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node != null && node.path("error").isTextual() ? node.path("error").asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** RFC 3339 (MediaMTX writes Go's RFC3339Nano); null for null or unparseable text. */
    static Instant time(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asBoolean();
    }

    private static boolean firstBoolean(JsonNode node, String... fields) {
        for (String field : fields) {
            JsonNode value = node.get(field);
            if (value != null && value.isBoolean()) {
                return value.asBoolean();
            }
        }
        return false;
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            JsonNode value = node.get(field);
            if (value != null && value.isTextual()) {
                return value.asText();
            }
        }
        return null;
    }

    private static long firstLong(JsonNode node, String... fields) {
        for (String field : fields) {
            JsonNode value = node.get(field);
            if (value != null && value.isNumber()) {
                return value.asLong();
            }
        }
        return 0;
    }
}
