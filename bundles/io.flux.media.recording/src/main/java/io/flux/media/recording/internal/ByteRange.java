package io.flux.media.recording.internal;

import java.util.Locale;

/**
 * A single HTTP byte range (RFC 9110 section 14) resolved against a representation of {@code size} bytes. Headers that
 * are absent, not in bytes, malformed or ask for several ranges are ignored (the whole representation is served, as
 * the RFC allows); a well-formed range that starts past the end is unsatisfiable (416).
 */
record ByteRange(Kind kind, long first, long last) {

    enum Kind { FULL, PARTIAL, UNSATISFIABLE }

    long length() {
        return last - first + 1;
    }

    static ByteRange full(long size) {
        return new ByteRange(Kind.FULL, 0, size - 1);
    }

    static ByteRange parse(String header, long size) {
        if (header == null) {
            return full(size);
        }
        String h = header.trim();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return full(size);
        }
        String spec = h.substring(eq + 1).trim();
        if (spec.isEmpty() || spec.indexOf(',') >= 0) {
            return full(size);
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return full(size);
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        if (a.isEmpty()) {
            long suffix = number(b);
            if (suffix < 0) {
                return full(size);
            }
            if (suffix == 0 || size == 0) {
                return unsatisfiable();
            }
            return new ByteRange(Kind.PARTIAL, Math.max(0, size - suffix), size - 1);
        }
        long first = number(a);
        if (first < 0) {
            return full(size);
        }
        long last;
        if (b.isEmpty()) {
            last = Long.MAX_VALUE;
        } else {
            last = number(b);
            if (last < 0 || last < first) {
                return full(size);
            }
        }
        if (first >= size) {
            return unsatisfiable();
        }
        return new ByteRange(Kind.PARTIAL, first, Math.min(last, size - 1));
    }

    private static ByteRange unsatisfiable() {
        return new ByteRange(Kind.UNSATISFIABLE, -1, -1);
    }

    /** A non-negative decimal; -1 when not digits. Values beyond {@code long} saturate. */
    private static long number(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (v > (Long.MAX_VALUE - (c - '0')) / 10) {
                v = Long.MAX_VALUE;
            } else {
                v = v * 10 + (c - '0');
            }
        }
        return v;
    }

    /** The Content-Range value of a partial response. */
    String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }
}
