package io.flux.media.recording.internal;

/**
 * One indexed segment. Times are epoch milliseconds (wall clock; the end is the start plus the media duration);
 * {@code startPts} is the stream's 90 kHz decode time of the first keyframe, null when the row was rebuilt from the
 * file. {@code status} is {@link #RECORDING} while the segment is written, {@link #COMPLETE} once stored.
 */
record SegmentRecord(String key, String streamId, String backend, Long startPts, long startTime, long endTime,
        long durationMs, long bytes, int keyframes, String status) {

    static final String RECORDING = "recording";
    static final String COMPLETE = "complete";

    /** The segment's name in the REST API ({@code {startMillis}-{seq}}). */
    String name() {
        int slash = key.lastIndexOf('/');
        String file = key.substring(slash + 1);
        return file.endsWith(SegmentKeys.SUFFIX) ? file.substring(0, file.length() - SegmentKeys.SUFFIX.length())
                : file;
    }
}
