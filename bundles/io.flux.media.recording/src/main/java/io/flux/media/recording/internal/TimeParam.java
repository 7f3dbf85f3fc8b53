package io.flux.media.recording.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import io.flux.media.api.rest.ApiException;

/** Query parameters holding an instant: ISO-8601 ({@code 2024-05-01T12:00:00Z}, offsets allowed) or epoch millis. */
final class TimeParam {

    private TimeParam() {
    }

    /** Epoch millis, {@code fallback} when absent; 400 naming the parameter when malformed. */
    static long parse(String name, String value, long fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.trim();
        if (v.matches("-?\\d{1,18}")) {
            return Long.parseLong(v);
        }
        try {
            return parseInstant(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("query parameter '" + name + "' must be an ISO-8601 instant "
                    + "(2024-05-01T12:00:00Z) or epoch milliseconds, got '" + printable(v) + "'");
        } catch (ArithmeticException e) {
            throw ApiException.badRequest("query parameter '" + name + "' is out of range");
        }
    }

    private static Instant parseInstant(String v) {
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(v).toInstant();
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
