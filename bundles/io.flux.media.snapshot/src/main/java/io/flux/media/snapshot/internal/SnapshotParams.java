package io.flux.media.snapshot.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.stream.StreamId;

/** Turns the query string of a snapshot request into a {@link SnapshotEngine.Query}, or a 400 naming the parameter. */
final class SnapshotParams {

    /** A day: beyond that "maximum age" means nothing for a live picture. */
    static final long MAX_AGE_LIMIT_MS = 86_400_000L;

    private SnapshotParams() {
    }

    static SnapshotEngine.Query parse(String id, String mode, String maxAgeMs, String timeoutMs, String width,
            String height, int maxDimension) {
        String problem = StreamId.problem(id);
        if (problem != null) {
            throw invalid("id", "invalid stream id: " + problem);
        }
        SnapshotMode m = mode(mode);
        Long maxAge = number("max_age_ms", maxAgeMs, 0, MAX_AGE_LIMIT_MS);
        // Larger timeouts are capped by timeout.max.ms rather than refused.
        Long timeout = number("timeout_ms", timeoutMs, 1, Long.MAX_VALUE / 1_000_000);
        Long w = number("width", width, 0, maxDimension);
        Long h = number("height", height, 0, maxDimension);
        return new SnapshotEngine.Query(StreamId.of(id), m,
                maxAge == null ? null : Duration.ofMillis(maxAge),
                timeout == null ? null : Duration.ofMillis(timeout),
                w == null ? 0 : w.intValue(), h == null ? 0 : h.intValue());
    }

    private static SnapshotMode mode(String value) {
        if (value == null || value.isBlank()) {
            return SnapshotMode.AUTO;
        }
        try {
            return SnapshotMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("mode", "parameter 'mode' must be one of auto, keyframe, decode (got '"
                    + printable(value) + "')");
        }
    }

    private static Long number(String name, String value, long min, long max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, "parameter '" + name + "' must be a whole number (got '" + printable(value) + "')");
        }
        if (v < min || v > max) {
            throw invalid(name, "parameter '" + name + "' must be between " + min + " and " + max + " (got " + v + ")");
        }
        return v;
    }

    private static ApiException invalid(String parameter, String message) {
        return new ApiException(400, "bad_request", message, Map.of("parameter", parameter), null);
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
