package io.flux.media.api.stream;

import java.time.Instant;

/**
 * A live stream as the media core sees it. {@code video}/{@code audio} are null until known;
 * {@code lastKeyframeAt} is null before the first keyframe. Rates are measured over a sliding window.
 */
public record StreamInfo(StreamId id, String protocol, StreamState state, VideoFormat video, AudioFormat audio,
        double frameRate, long bitrateBps, Instant startedAt, Instant lastSampleAt, Instant lastKeyframeAt,
        long samples, long gopsDropped) {
}
