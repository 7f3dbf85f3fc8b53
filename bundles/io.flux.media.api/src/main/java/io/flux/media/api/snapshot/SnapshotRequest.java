package io.flux.media.api.snapshot;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;

/**
 * What a provider decodes: the stream's parameter sets and keyframe, and for decode mode the frames
 * after it. {@code width}/{@code height} of 0 keep the source size; otherwise the picture is scaled
 * to fit, keeping the aspect ratio.
 */
public record SnapshotRequest(StreamId stream, List<VideoSample> frames, int width, int height,
        String overlayText, Duration timeout) {

    public SnapshotRequest {
        Objects.requireNonNull(stream, "stream");
        frames = List.copyOf(frames);
        if (frames.isEmpty() || !frames.get(0).keyframe()) {
            throw new IllegalArgumentException("a snapshot needs frames starting with a keyframe");
        }
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("width and height must not be negative");
        }
        Objects.requireNonNull(timeout, "timeout");
    }
}
