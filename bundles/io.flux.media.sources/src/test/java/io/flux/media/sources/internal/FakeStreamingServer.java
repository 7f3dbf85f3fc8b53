package io.flux.media.sources.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.api.streaming.StreamingServer;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.api.streaming.StreamingServerException.Reason;
import io.flux.media.api.streaming.StreamingServerStatus;

/**
 * An in-memory streaming server with MediaMTX's rules for path configs (name validation, duplicate add refused,
 * unknown path not found). It can be made unavailable, or to fail one operation with a given reason.
 */
final class FakeStreamingServer implements StreamingServer {

    static final Pattern VALID_NAME = Pattern.compile("^[0-9a-zA-Z_\\-/.]+$");

    final Map<String, PathConfig> paths = new ConcurrentHashMap<>();
    final Set<String> online = ConcurrentHashMap.newKeySet();
    final Map<String, List<Instant>> recordings = new ConcurrentHashMap<>();
    final Map<String, List<PlaybackSegment>> spans = new ConcurrentHashMap<>();
    /** "op name" of every call, in order. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Reason> failing = new HashMap<>();
    volatile boolean unavailable;

    /** Makes every later call of {@code op} (e.g. "deletePath") fail with {@code reason}; null clears it. */
    synchronized FakeStreamingServer fail(String op, Reason reason) {
        if (reason == null) {
            failing.remove(op);
        } else {
            failing.put(op, reason);
        }
        return this;
    }

    private void enter(String op, String name) {
        calls.add(op + " " + name);
        if (unavailable) {
            throw new StreamingServerException(Reason.UNAVAILABLE, "connection refused (127.0.0.1:9997)");
        }
        Reason r;
        synchronized (this) {
            r = failing.get(op);
        }
        if (r != null) {
            throw new StreamingServerException(r, "injected " + r + " in " + op);
        }
    }

    static boolean validName(String name) {
        if (!VALID_NAME.matcher(name).matches() || name.startsWith("/") || name.endsWith("/")) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public StreamingServerStatus status() {
        return unavailable ? new StreamingServerStatus(false, null, "connection refused")
                : new StreamingServerStatus(true, "v1.20.1", null);
    }

    @Override
    public void addPath(String name, PathConfig config) {
        enter("addPath", name);
        if (!validName(name)) {
            throw new StreamingServerException(Reason.INVALID, "invalid name");
        }
        if (paths.putIfAbsent(name, withName(name, config)) != null) {
            throw new StreamingServerException(Reason.CONFLICT, "path already exists");
        }
    }

    @Override
    public Optional<PathConfig> pathConfig(String name) {
        enter("pathConfig", name);
        return Optional.ofNullable(paths.get(name));
    }

    @Override
    public void patchPath(String name, PathConfig patch) {
        enter("patchPath", name);
        PathConfig c = require(name);
        paths.put(name, new PathConfig(name, or(patch.source(), c.source()),
                or(patch.sourceOnDemand(), c.sourceOnDemand()), or(patch.record(), c.record()),
                or(patch.recordPath(), c.recordPath()), or(patch.recordFormat(), c.recordFormat()),
                or(patch.recordSegmentDuration(), c.recordSegmentDuration()),
                or(patch.recordDeleteAfter(), c.recordDeleteAfter())));
    }

    @Override
    public void replacePath(String name, PathConfig config) {
        enter("replacePath", name);
        require(name);
        paths.put(name, withName(name, config));
    }

    @Override
    public void deletePath(String name) {
        enter("deletePath", name);
        require(name);
        paths.remove(name);
        online.remove(name);
    }

    @Override
    public Page<PathConfig> pathConfigs(int page, int itemsPerPage) {
        enter("pathConfigs", "");
        return page(new ArrayList<>(paths.values()), page, itemsPerPage);
    }

    @Override
    public Optional<PathState> path(String name) {
        enter("path", name);
        if (!paths.containsKey(name)) {
            return Optional.empty();
        }
        boolean on = online.contains(name);
        return Optional.of(new PathState(name, on, on ? Instant.parse("2026-11-22T10:00:00Z") : null,
                on ? "rtspSource" : null, on ? List.of("H264") : List.of(), on ? 1000 : 0, 0, 0));
    }

    @Override
    public Page<PathState> paths(int page, int itemsPerPage) {
        enter("paths", "");
        List<PathState> all = new ArrayList<>();
        for (String n : paths.keySet()) {
            all.add(new PathState(n, online.contains(n), null, null, List.of(), 0, 0, 0));
        }
        return page(all, page, itemsPerPage);
    }

    @Override
    public void setRecording(String name, boolean enabled) {
        enter("setRecording", name);
        PathConfig c = require(name);
        paths.put(name, new PathConfig(name, c.source(), c.sourceOnDemand(), enabled, "./recordings/%path/%Y",
                "fmp4", "1h", c.recordDeleteAfter()));
    }

    @Override
    public List<Instant> recordings(String name) {
        enter("recordings", name);
        return List.copyOf(recordings.getOrDefault(name, List.of()));
    }

    @Override
    public void deleteRecordingSegment(String name, Instant start) {
        enter("deleteRecordingSegment", name);
        List<Instant> l = recordings.get(name);
        if (l == null || !l.contains(start)) {
            throw new StreamingServerException(Reason.NOT_FOUND, "recording segment not found");
        }
        recordings.put(name, l.stream().filter(t -> !t.equals(start)).toList());
    }

    @Override
    public List<PlaybackSegment> playbackSegments(String name, Instant start, Instant end) {
        enter("playbackSegments", name);
        return spans.getOrDefault(name, List.of()).stream()
                .filter(s -> end == null || s.start().isBefore(end))
                .filter(s -> start == null || s.start().plusMillis((long) (s.duration_s() * 1000)).isAfter(start))
                .toList();
    }

    @Override
    public String playbackUrl(String name, Instant start, Duration duration) {
        enter("playbackUrl", name);
        return "http://media.test:9996/get?path=" + name + "&start=" + start + "&duration="
                + duration.toMillis() / 1000.0;
    }

    @Override
    public PathUrls urls(String name) {
        // Built from configured addresses, as the adapter does: works while the server is down.
        return new PathUrls("rtsp://media.test:8554/" + name, "rtmp://media.test:1935/" + name,
                "http://media.test:8888/" + name + "/index.m3u8", "http://media.test:8889/" + name + "/whep",
                "srt://media.test:8890?streamid=read:" + name, "rtmp://media.test:1935/" + name);
    }

    /** Adds a recorded span and its segment files (each {@code fileSeconds} long). */
    void record(String name, Instant start, int files, int fileSeconds) {
        List<Instant> l = new ArrayList<>(recordings.getOrDefault(name, List.of()));
        for (int i = 0; i < files; i++) {
            l.add(start.plusSeconds((long) i * fileSeconds));
        }
        recordings.put(name, l);
        List<PlaybackSegment> s = new ArrayList<>(spans.getOrDefault(name, List.of()));
        s.add(new PlaybackSegment(start, files * fileSeconds, "http://media.test:9996/get?path=" + name + "&start="
                + start));
        spans.put(name, s);
    }

    long count(String op) {
        return calls.stream().filter(c -> c.startsWith(op + " ")).count();
    }

    private PathConfig require(String name) {
        PathConfig c = paths.get(name);
        if (c == null) {
            throw new StreamingServerException(Reason.NOT_FOUND, "path not found");
        }
        return c;
    }

    private static PathConfig withName(String name, PathConfig c) {
        return new PathConfig(name, c.source(), c.sourceOnDemand(), c.record(), c.recordPath(), c.recordFormat(),
                c.recordSegmentDuration(), c.recordDeleteAfter());
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }

    private static <T> Page<T> page(List<T> all, int page, int n) {
        int from = Math.min(all.size(), page * n);
        return new Page<>(all.size(), (all.size() + n - 1) / n, all.subList(from, Math.min(all.size(), from + n)));
    }

    Map<String, PathConfig> snapshot() {
        return new LinkedHashMap<>(paths);
    }
}
