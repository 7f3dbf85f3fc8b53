package io.flux.media.api.stream;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.flux.media.api.sample.VideoSample;

/**
 * The current group of pictures of a stream: its last keyframe (which carries the parameter sets in-band,
 * Annex B) and every video frame after it, in decoding order. {@code keyframeAt} is the wall-clock arrival
 * time of the keyframe, {@code newestAt} of the last frame.
 */
public record Gop(StreamId stream, VideoFormat format, List<VideoSample> frames, Instant keyframeAt, Instant newestAt) {

    public Gop {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(format, "format");
        frames = List.copyOf(frames);
        if (frames.isEmpty() || !frames.get(0).keyframe()) {
            throw new IllegalArgumentException("a GOP starts with a keyframe");
        }
    }

    public VideoSample keyframe() {
        return frames.get(0);
    }
}
