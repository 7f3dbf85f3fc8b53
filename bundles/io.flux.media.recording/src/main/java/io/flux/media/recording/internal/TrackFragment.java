package io.flux.media.recording.internal;

import java.util.Arrays;

/** The samples of one track collected for the next fragment: per-sample fields in primitive arrays, data in one buffer. */
final class TrackFragment {

    final int trackId;
    private final boolean withCto;
    final BoxBuffer data;
    private int[] durations = new int[64];
    private int[] sizes = new int[64];
    private int[] flags = new int[64];
    private int[] ctos;
    private int count;
    private long baseDecodeTime;
    private long decodeDuration;

    TrackFragment(int trackId, boolean withCto, int dataCapacity) {
        this.trackId = trackId;
        this.withCto = withCto;
        this.ctos = withCto ? new int[64] : null;
        this.data = new BoxBuffer(dataCapacity);
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    long baseDecodeTime() {
        return baseDecodeTime;
    }

    /** Decode time right after the last sample (valid once the last duration is set). */
    long endDecodeTime() {
        return baseDecodeTime + decodeDuration;
    }

    int dataLength() {
        return data.position();
    }

    int firstFlags() {
        return flags[0];
    }

    /** Starts a sample whose data the caller has just appended to {@link #data} ({@code size} bytes). */
    void add(long decodeTime, int size, int sampleFlags, int cto) {
        if (count == 0) {
            baseDecodeTime = decodeTime;
            decodeDuration = 0;
        }
        if (count == durations.length) {
            int n = count * 2;
            durations = Arrays.copyOf(durations, n);
            sizes = Arrays.copyOf(sizes, n);
            flags = Arrays.copyOf(flags, n);
            if (withCto) {
                ctos = Arrays.copyOf(ctos, n);
            }
        }
        sizes[count] = size;
        flags[count] = sampleFlags;
        if (withCto) {
            ctos[count] = cto;
        }
        durations[count] = 0;
        count++;
    }

    /** Sets the duration of the last sample added. */
    void setLastDuration(int duration) {
        if (count > 0) {
            decodeDuration += duration - durations[count - 1];
            durations[count - 1] = duration;
        }
    }

    /** A snapshot of the run for the fragment header (arrays are shared until {@link #clear()}). */
    Fmp4.Run run() {
        return new Fmp4.Run(trackId, baseDecodeTime, count, durations, sizes, flags, ctos, data.position());
    }

    void clear() {
        count = 0;
        decodeDuration = 0;
        data.reset();
    }
}
