package io.flux.media.api.streaming;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The streaming server Flux delegates RTSP/RTMP/HLS/WebRTC/SRT delivery to (MediaMTX). Every stream asset is one
 * path on it. The adapter bundle implements this; stopping the bundle removes the service and every endpoint that
 * needs it answers 503.
 * <p>
 * Every call has a timeout. Failures are {@link StreamingServerException}s: {@code UNAVAILABLE} when the server
 * refuses the connection, times out or answers 5xx; {@code CONFLICT} when a path already exists; {@code NOT_FOUND}
 * for an unknown path or recording; {@code INVALID} for a name or value the server refuses.
 */
@ProviderType
public interface StreamingServer {

    /** Service property naming the implementation ({@code mediamtx}). */
    String KIND = "flux.streaming.kind";

    /** Whether the server's control API answers, and its version or why not. Never throws. */
    StreamingServerStatus status();

    /** Adds a path configuration; {@code CONFLICT} when the name exists. */
    void addPath(String name, PathConfig config);

    /** A path's configuration; empty when there is none. */
    Optional<PathConfig> pathConfig(String name);

    /** Changes the non-null fields of {@code patch}; {@code NOT_FOUND} for an unknown path. */
    void patchPath(String name, PathConfig patch);

    /** Replaces a path's configuration; {@code NOT_FOUND} for an unknown path. */
    void replacePath(String name, PathConfig config);

    /** Removes a path configuration; {@code NOT_FOUND} for an unknown path. */
    void deletePath(String name);

    /** One page (from 0) of the configured paths. */
    Page<PathConfig> pathConfigs(int page, int itemsPerPage);

    /** A path's runtime state (configured paths are reported while offline too); empty when unknown. */
    Optional<PathState> path(String name);

    /** One page (from 0) of the runtime paths. */
    Page<PathState> paths(int page, int itemsPerPage);

    /**
     * Turns recording of a path on or off, with the adapter's configured record path, format and segment
     * duration; {@code NOT_FOUND} for an unknown path.
     */
    void setRecording(String name, boolean enabled);

    /** The recording segments of a path (start times, oldest first); empty when nothing was recorded. */
    List<Instant> recordings(String name);

    /** Deletes the recording segment that starts at {@code start}; {@code NOT_FOUND} when there is none. */
    void deleteRecordingSegment(String name, Instant start);

    /** What the playback server can play between {@code start} and {@code end} (either may be null). */
    List<PlaybackSegment> playbackSegments(String name, Instant start, Instant end);

    /** The playback server's URL for {@code duration} of recording from {@code start}. */
    String playbackUrl(String name, Instant start, Duration duration);

    /** Where clients read (and, for push paths, publish) a path, from the configured addresses. */
    PathUrls urls(String name);
}
