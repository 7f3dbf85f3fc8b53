package io.flux.media.mpegps;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of a {@link PsDemuxer} at one instant.
 *
 * @param bytes              bytes fed
 * @param packs              pack headers
 * @param systemHeaders      system headers
 * @param programStreamMaps  program stream maps
 * @param pesPackets         audio and video PES packets of the selected streams
 * @param ignoredPackets     other packets skipped whole (padding, private streams, further audio/video streams)
 * @param videoAccessUnits   video samples emitted
 * @param keyframes          of which keyframes (H.264 IDR, H.265 IRAP)
 * @param audioFrames        audio samples emitted
 * @param droppedAccessUnits video access units assembled (partly) but dropped for an error or a gap
 * @param skippedBytes       bytes skipped while resynchronising on a start code
 * @param errors             non-zero error counts by kind
 */
public record DemuxStats(long bytes, long packs, long systemHeaders, long programStreamMaps, long pesPackets,
        long ignoredPackets, long videoAccessUnits, long keyframes, long audioFrames, long droppedAccessUnits,
        long skippedBytes, Map<DemuxError, Long> errors) {

    public DemuxStats {
        EnumMap<DemuxError, Long> copy = new EnumMap<>(DemuxError.class);
        errors.forEach((k, v) -> {
            if (v != 0) {
                copy.put(k, v);
            }
        });
        errors = Collections.unmodifiableMap(copy);
    }

    /** All errors, whatever their kind. */
    public long errorCount() {
        long sum = 0;
        for (long v : errors.values()) {
            sum += v;
        }
        return sum;
    }

    /** Errors of one kind. */
    public long errors(DemuxError kind) {
        return errors.getOrDefault(kind, 0L);
    }
}
