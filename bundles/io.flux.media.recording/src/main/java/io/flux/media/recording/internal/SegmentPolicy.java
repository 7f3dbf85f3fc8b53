package io.flux.media.recording.internal;

import io.flux.media.api.sample.MediaSample;

/**
 * When to start a new segment: at the first keyframe once the segment is {@code value} seconds long ({@code TIME}),
 * holds {@code value} bytes ({@code SIZE}) or {@code value} GOPs ({@code GOPS}).
 */
record SegmentPolicy(SegmentStrategy strategy, long value) {

    SegmentPolicy {
        if (strategy == null) {
            throw new IllegalArgumentException("strategy must be one of time, size, gops");
        }
        if (value < strategy.min || value > strategy.max) {
            throw new IllegalArgumentException("value for strategy " + strategy.jsonName() + " must be between "
                    + strategy.min + " and " + strategy.max + " " + strategy.unit);
        }
    }

    /** True when a segment in this state should end before the keyframe at {@code keyframeDts}. */
    boolean due(long baseDts, long keyframeDts, long bytes, int gops) {
        return switch (strategy) {
            case TIME -> keyframeDts - baseDts >= value * MediaSample.CLOCK_RATE;
            case SIZE -> bytes >= value;
            case GOPS -> gops >= value;
        };
    }
}
