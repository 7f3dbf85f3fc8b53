package io.flux.media.publish.rtsp.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.api.streaming.StreamingServer;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.api.streaming.StreamingServerStatus;
import io.flux.media.api.streaming.StreamingServerException.Reason;

/** Records path additions and removals; URLs point at a local RTSP port. Duplicate adds answer CONFLICT. */
final class FakeStreamingServer implements StreamingServer {

    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> paths = ConcurrentHashMap.newKeySet();
    volatile int rtspPort;
    volatile boolean unavailable;

    FakeStreamingServer(int rtspPort) {
        this.rtspPort = rtspPort;
    }

    @Override
    public StreamingServerStatus status() {
        return new StreamingServerStatus(!unavailable, "test", null);
    }

    @Override
    public void addPath(String name, PathConfig config) {
        calls.add("add " + name + " " + config.source());
        if (unavailable) {
            throw new StreamingServerException(Reason.UNAVAILABLE, "down");
        }
        if (!paths.add(name)) {
            throw new StreamingServerException(Reason.CONFLICT, "path already exists");
        }
    }

    @Override
    public void deletePath(String name) {
        calls.add("delete " + name);
        if (!paths.remove(name)) {
            throw new StreamingServerException(Reason.NOT_FOUND, "path not found");
        }
    }

    @Override
    public PathUrls urls(String name) {
        return new PathUrls("rtsp://127.0.0.1:" + rtspPort + "/" + name, "rtmp://127.0.0.1:1935/" + name,
                "http://127.0.0.1:8888/" + name + "/index.m3u8", "http://127.0.0.1:8889/" + name + "/whep",
                "srt://127.0.0.1:8890?streamid=read:" + name, null);
    }

    @Override
    public Optional<PathConfig> pathConfig(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void patchPath(String name, PathConfig patch) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void replacePath(String name, PathConfig config) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Page<PathConfig> pathConfigs(int page, int itemsPerPage) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<PathState> path(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Page<PathState> paths(int page, int itemsPerPage) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setRecording(String name, boolean enabled) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Instant> recordings(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void deleteRecordingSegment(String name, Instant start) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<PlaybackSegment> playbackSegments(String name, Instant start, Instant end) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String playbackUrl(String name, Instant start, Duration duration) {
        throw new UnsupportedOperationException();
    }
}
