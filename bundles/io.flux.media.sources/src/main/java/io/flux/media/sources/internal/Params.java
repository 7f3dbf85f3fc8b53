package io.flux.media.sources.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.flux.media.api.rest.ApiException;

/** Query parameters: parsed, or a 400 naming the parameter. */
final class Params {

    /** Longest playback one URL asks for. */
    static final Duration MAX_PLAYBACK = Duration.ofHours(24);

    private Params() {
    }

    static int page(String value) {
        if (value == null || value.isBlank()) {
            return 1;
        }
        return intIn("page", value, 1, Integer.MAX_VALUE / PageView.MAX_SIZE);
    }

    static int pageSize(String value) {
        if (value == null || value.isBlank()) {
            return PageView.DEFAULT_SIZE;
        }
        return intIn("page_size", value, 1, PageView.MAX_SIZE);
    }

    static Boolean bool(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw bad(name, "must be true or false");
        };
    }

    /** An RFC 3339 time with offset, e.g. {@code 2026-11-22T10:00:00Z}; null when absent and not required. */
    static Instant time(String name, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw bad(name, "is required (RFC 3339, e.g. 2026-11-22T10:00:00Z)");
            }
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw bad(name, "must be an RFC 3339 time, e.g. 2026-11-22T10:00:00Z");
        }
    }

    /** Seconds (fractions allowed), more than 0 and at most 24 h; null when absent. */
    static Duration seconds(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        double s;
        try {
            s = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw bad(name, "must be a number of seconds");
        }
        if (!(s > 0) || s > MAX_PLAYBACK.toSeconds()) {
            throw bad(name, "must be more than 0 and at most " + MAX_PLAYBACK.toSeconds() + " seconds");
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }

    static String text(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static int intIn(String name, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw bad(name, "must be a whole number");
        }
        if (n < min || n > max) {
            throw bad(name, "must be between " + min + " and " + max);
        }
        return n;
    }

    static ApiException bad(String name, String problem) {
        return new ApiException(400, "bad_request", "invalid request: " + name + " " + problem, Map.of(name, problem),
                null);
    }
}
