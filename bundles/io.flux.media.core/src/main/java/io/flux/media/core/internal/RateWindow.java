package io.flux.media.core.internal;

/**
 * Frame rate and bitrate over a sliding window of arrival times, in fixed buckets so that adding a sample
 * allocates nothing. Not thread-safe: the owning stream guards it.
 */
final class RateWindow {

    static final long BUCKET_MS = 250;
    static final int BUCKETS = 20;
    /** The window the rates are measured over: {@value} ms. */
    static final long WINDOW_MS = BUCKET_MS * BUCKETS;

    private final long[] epoch = new long[BUCKETS];
    private final long[] frames = new long[BUCKETS];
    private final long[] bytes = new long[BUCKETS];
    private long firstAt = Long.MIN_VALUE;

    RateWindow() {
        reset();
    }

    void reset() {
        java.util.Arrays.fill(epoch, Long.MIN_VALUE);
        firstAt = Long.MIN_VALUE;
    }

    /** Records one sample arriving at {@code nowMs}: {@code frame} for video frames, its payload size. */
    void add(long nowMs, boolean frame, int size) {
        if (firstAt == Long.MIN_VALUE) {
            firstAt = nowMs;
        }
        long b = Math.floorDiv(nowMs, BUCKET_MS);
        int slot = (int) Math.floorMod(b, (long) BUCKETS);
        if (epoch[slot] != b) {
            epoch[slot] = b;
            frames[slot] = 0;
            bytes[slot] = 0;
        }
        if (frame) {
            frames[slot]++;
        }
        bytes[slot] += size;
    }

    /** Video frames per second over the window ending at {@code nowMs}. */
    double frameRate(long nowMs) {
        long span = span(nowMs);
        return span <= 0 ? 0 : sum(frames, nowMs) * 1000.0 / span;
    }

    /** Bits per second (all payload bytes) over the window ending at {@code nowMs}. */
    long bitrate(long nowMs) {
        long span = span(nowMs);
        return span <= 0 ? 0 : sum(bytes, nowMs) * 8_000 / span;
    }

    /** How much time the window covers: the full window, or less while the stream is younger than that. */
    private long span(long nowMs) {
        if (firstAt == Long.MIN_VALUE) {
            return 0;
        }
        long b = Math.floorDiv(nowMs, BUCKET_MS);
        long windowStart = (b - BUCKETS + 1) * BUCKET_MS;
        return nowMs - Math.max(windowStart, firstAt);
    }

    private long sum(long[] values, long nowMs) {
        long b = Math.floorDiv(nowMs, BUCKET_MS);
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (epoch[i] <= b && epoch[i] > b - BUCKETS) {
                total += values[i];
            }
        }
        return total;
    }
}
