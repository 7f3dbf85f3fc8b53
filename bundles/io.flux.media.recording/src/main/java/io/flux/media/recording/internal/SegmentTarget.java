package io.flux.media.recording.internal;

import java.io.IOException;
import java.util.List;

import io.flux.media.api.stream.StreamId;

/** Where one segment's bytes go, and who learns how it ended. */
interface SegmentTarget {

    /** The storage key, or null when the segment is being dropped (no backend). */
    String key();

    SegmentWriter.Output output();

    /** The segment ended normally; its bytes are all written to {@link #output()}. */
    void complete(Summary summary);

    /** The segment is lost (storage failure or stall). */
    void abort(IOException cause);

    /**
     * What the recorder knows about a finished segment: wall-clock start, 90 kHz decode time of its first keyframe,
     * media duration in 90 kHz ticks, bytes, and its keyframe fragments.
     */
    record Summary(long startMillis, long startDts, long durationTicks, long bytes,
            List<SegmentWriter.Keyframe> keyframes) {

        long durationMillis() {
            return durationTicks / 90;
        }

        long endMillis() {
            return startMillis + durationMillis();
        }

        List<KeyframeRecord> keyframeRecords() {
            return keyframes.stream()
                    .map(k -> new KeyframeRecord(startMillis + k.relativeDts() / 90, k.moofOffset()))
                    .toList();
        }
    }

    /** Opens segments. */
    interface Store {
        /** Opens a segment starting at wall-clock {@code startMillis} with the keyframe decoded at {@code startDts}. */
        SegmentTarget open(StreamId stream, long startMillis, long sequence, long startDts);
    }
}
