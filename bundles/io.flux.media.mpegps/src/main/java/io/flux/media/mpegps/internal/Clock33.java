package io.flux.media.mpegps.internal;

/**
 * Extends 33-bit MPEG timestamps (90 kHz, wrapping every 26.5 hours) to a continuous 64-bit timeline: each value is
 * placed nearest to the last one extended, so a wrap-around continues upward and a slightly earlier value (a
 * B-frame, audio just before video) stays slightly earlier.
 */
public final class Clock33 {

    public static final long WRAP = 1L << 33;
    private static final long MASK = WRAP - 1;
    private static final long HALF = WRAP >> 1;

    private boolean anchored;
    private long last;

    /** Extends {@code raw} and makes it the new reference. */
    public long extend(long raw) {
        long v = near(raw);
        anchored = true;
        last = v;
        return v;
    }

    /** Extends {@code raw} relative to the reference without moving it. */
    public long near(long raw) {
        if (!anchored) {
            return raw & MASK;
        }
        long delta = (raw - last) & MASK;
        if (delta >= HALF) {
            delta -= WRAP;
        }
        return last + delta;
    }

    public void reset() {
        anchored = false;
    }
}
