package io.flux.media.testing.mediamtx;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Everything the stand-in knows: path configurations, simulated publishers, readers, traffic counters and recorded
 * segments. One lock (this) guards it all; every accessor hands out copies.
 */
final class StandInState {

    private record Publisher(String sourceType, String sourceId, List<String> tracks, Instant since) {
    }

    private record Reader(String type, String id) {
    }

    private final Map<String, Map<String, Object>> confs = new HashMap<>();
    private final Map<String, Publisher> publishers = new HashMap<>();
    private final Map<String, long[]> traffic = new HashMap<>();
    private final Map<String, List<Reader>> readers = new HashMap<>();
    private final Map<String, TreeMap<Instant, Duration>> recordings = new HashMap<>();

    // ---- path configurations -------------------------------------------------------------------------------------

    synchronized Map<String, Map<String, Object>> pathConfigs() {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        confs.forEach((name, conf) -> out.put(name, copy(conf)));
        return out;
    }

    synchronized List<Map<String, Object>> confList() {
        return new TreeMap<>(confs).values().stream().map(StandInState::copy).toList();
    }

    synchronized Map<String, Object> conf(String name) {
        Map<String, Object> conf = confs.get(name);
        if (conf == null) {
            throw new ApiError(404, "path configuration not found");
        }
        return copy(conf);
    }

    synchronized void add(String name, Map<String, Object> body) {
        if (confs.containsKey(name)) {
            throw new ApiError(400, "path already exists");
        }
        Map<String, Object> conf = PathConf.defaults(name);
        PathConf.apply(conf, body);
        PathConf.validate(conf);
        confs.put(name, conf);
    }

    void addDirect(String name, Map<String, Object> fields) {
        if (!PathConf.validName(name)) {
            throw new IllegalArgumentException("invalid name: " + name);
        }
        try {
            add(name, fields);
        } catch (ApiError e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    synchronized void patch(String name, Map<String, Object> body) {
        Map<String, Object> old = confs.get(name);
        if (old == null) {
            throw new ApiError(404, "path not found");
        }
        Map<String, Object> conf = copy(old);
        PathConf.apply(conf, body);
        PathConf.validate(conf);
        confs.put(name, conf);
        reloaded(name, old, conf);
    }

    synchronized void replace(String name, Map<String, Object> body) {
        Map<String, Object> old = confs.get(name);
        if (old == null) {
            throw new ApiError(404, "path not found");
        }
        Map<String, Object> conf = PathConf.defaults(name);
        PathConf.apply(conf, body);
        PathConf.validate(conf);
        confs.put(name, conf);
        reloaded(name, old, conf);
    }

    synchronized void delete(String name) {
        if (confs.remove(name) == null) {
            throw new ApiError(404, "path not found");
        }
        dropRuntime(name);
    }

    /** MediaMTX recreates a path (dropping its publisher and readers) when its source settings change. */
    private void reloaded(String name, Map<String, Object> old, Map<String, Object> now) {
        if (!old.get("source").equals(now.get("source"))
                || !old.get("sourceOnDemand").equals(now.get("sourceOnDemand"))) {
            dropRuntime(name);
        }
    }

    private void dropRuntime(String name) {
        publishers.remove(name);
        readers.remove(name);
        traffic.remove(name);
    }

    // ---- runtime paths -------------------------------------------------------------------------------------------

    /** The {@code /v3/paths/get} object, or a 404 for a name with no configuration. */
    synchronized Map<String, Object> path(String name) {
        if (!confs.containsKey(name)) {
            throw new ApiError(404, "path not found");
        }
        return pathJson(name);
    }

    synchronized List<Map<String, Object>> pathList() {
        return new TreeMap<>(confs).keySet().stream().map(this::pathJson).toList();
    }

    private Map<String, Object> pathJson(String name) {
        Map<String, Object> conf = confs.get(name);
        String source = (String) conf.get("source");
        Publisher publisher = publishers.get(name);
        boolean online = publisher != null;
        String since = online ? GoText.time(publisher.since()) : null;
        long[] bytes = traffic.getOrDefault(name, new long[2]);

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("confName", name);
        Map<String, Object> src = null;
        if (online) {
            src = new LinkedHashMap<>();
            src.put("type", publisher.sourceType());
            src.put("id", publisher.sourceId());
        } else if (!source.equals("publisher")) {
            // A pull path has its static source attached (and retrying) even while the upstream is down.
            src = new LinkedHashMap<>();
            src.put("type", PathConf.staticSourceType(source));
            src.put("id", "");
        }
        p.put("source", src);
        p.put("available", online);
        p.put("availableTime", since);
        p.put("online", online);
        p.put("onlineTime", since);
        p.put("ready", online);
        p.put("readyTime", since);
        List<String> tracks = online ? publisher.tracks() : List.of();
        p.put("tracks", tracks);
        List<Map<String, Object>> tracks2 = new ArrayList<>();
        for (String codec : tracks) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("codec", codec);
            t.put("codecProps", null);
            tracks2.add(t);
        }
        p.put("tracks2", tracks2);
        p.put("inboundBytes", bytes[0]);
        p.put("outboundBytes", bytes[1]);
        p.put("inboundFramesInError", 0);
        p.put("bytesReceived", bytes[0]);
        p.put("bytesSent", bytes[1]);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Reader r : readers.getOrDefault(name, List.of())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", r.type());
            m.put("id", r.id());
            rs.add(m);
        }
        p.put("readers", rs);
        return p;
    }

    synchronized void publish(String name, String sourceType, List<String> tracks) {
        Map<String, Object> conf = confs.get(name);
        if (conf == null) {
            throw new IllegalArgumentException("path '" + name + "' is not configured");
        }
        String source = (String) conf.get("source");
        boolean publisherPath = source.equals("publisher");
        String type = sourceType != null ? sourceType : publisherPath ? "rtspSession" : PathConf.staticSourceType(source);
        String id = publisherPath ? UUID.randomUUID().toString() : "";
        publishers.put(name, new Publisher(type, id, List.copyOf(tracks), Instant.now()));
    }

    synchronized void unpublish(String name) {
        publishers.remove(name);
        readers.remove(name);
    }

    synchronized void traffic(String name, long received, long sent) {
        requireConfigured(name);
        traffic.put(name, new long[] {received, sent});
    }

    synchronized void addReader(String name, String type, String id) {
        requireConfigured(name);
        readers.computeIfAbsent(name, n -> new ArrayList<>()).add(new Reader(type, id));
    }

    synchronized void removeReader(String name, String id) {
        List<Reader> list = readers.get(name);
        if (list != null) {
            list.removeIf(r -> r.id().equals(id));
        }
    }

    private void requireConfigured(String name) {
        if (!confs.containsKey(name)) {
            throw new IllegalArgumentException("path '" + name + "' is not configured");
        }
    }

    // ---- recordings ----------------------------------------------------------------------------------------------

    synchronized void addRecording(String name, Instant start, Duration duration) {
        if (!PathConf.validName(name)) {
            throw new IllegalArgumentException("invalid name: " + name);
        }
        recordings.computeIfAbsent(name, n -> new TreeMap<>()).put(start, duration);
    }

    synchronized Map<Instant, Duration> recordingsOf(String name) {
        return new TreeMap<>(recordings.getOrDefault(name, new TreeMap<>()));
    }

    /** Names with segments that a path configuration makes visible, sorted. */
    synchronized List<String> recordedPaths() {
        return recordings.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty() && confs.containsKey(e.getKey()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * The segments of a path as MediaMTX finds them on disk: 400 when no configuration covers the name or there is
     * nothing recorded (the real server answers 400 here, not the 404 its spec lists).
     */
    synchronized TreeMap<Instant, Duration> segments(String name) {
        if (!confs.containsKey(name)) {
            throw new ApiError(400, "path '" + name + "' is not configured");
        }
        TreeMap<Instant, Duration> segments = recordings.get(name);
        if (segments == null || segments.isEmpty()) {
            throw new ApiError(400, "no recording segments found");
        }
        return new TreeMap<>(segments);
    }

    synchronized void deleteSegment(String name, Instant start) {
        TreeMap<Instant, Duration> segments = segments(name);
        if (!segments.containsKey(start)) {
            throw new ApiError(400, "segment not found");
        }
        recordings.get(name).remove(start);
    }

    synchronized void reset() {
        confs.clear();
        publishers.clear();
        traffic.clear();
        readers.clear();
        recordings.clear();
    }

    @SuppressWarnings("unchecked")
    static <T> T copy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, copy(v)));
            return (T) out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(copy(v)));
            return (T) out;
        }
        return value;
    }
}
