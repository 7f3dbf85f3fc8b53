package io.flux.media.recording.internal;

import java.util.Locale;

/**
 * The segmenting strategies with their value ranges and units. Public because the configuration type (an annotation
 * implemented by a proxy) returns it.
 */
public enum SegmentStrategy {
    TIME(1, 86_400, "seconds"),
    SIZE(64 * 1024, 1L << 40, "bytes"),
    GOPS(1, 1_000_000, "GOPs");

    final long min;
    final long max;
    final String unit;

    SegmentStrategy(long min, long max, String unit) {
        this.min = min;
        this.max = max;
        this.unit = unit;
    }

    String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code time}, {@code size} or {@code gops} (any case); null when unknown. */
    static SegmentStrategy parse(String s) {
        if (s == null) {
            return null;
        }
        for (SegmentStrategy st : values()) {
            if (st.name().equalsIgnoreCase(s.trim())) {
                return st;
            }
        }
        return null;
    }
}
