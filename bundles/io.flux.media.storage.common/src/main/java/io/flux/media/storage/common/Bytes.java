package io.flux.media.storage.common;

import java.util.Locale;

/** Byte counts for people (free-space messages and health details). */
public final class Bytes {

    private Bytes() {
    }

    /** {@code 1.5 GiB}: for messages, with the exact count when small. */
    public static String human(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
