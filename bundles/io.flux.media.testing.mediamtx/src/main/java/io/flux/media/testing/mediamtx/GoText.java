package io.flux.media.testing.mediamtx;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The textual forms Go (and so MediaMTX) uses for times, durations and floats. */
final class GoText {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*\\.?[0-9]*)(ns|us|µs|ms|s|m|h)");

    private GoText() {
    }

    /** {@code time.Time} marshalled to JSON (RFC 3339 with nanoseconds, trailing zeros trimmed), in UTC. */
    static String time(Instant instant) {
        OffsetDateTime t = instant.atOffset(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(SECONDS.format(t));
        int nanos = t.getNano();
        if (nanos != 0) {
            String frac = String.format("%09d", nanos).replaceAll("0+$", "");
            sb.append('.').append(frac);
        }
        return sb.append('Z').toString();
    }

    /** {@code time.Parse(time.RFC3339, s)}; null when s is not RFC 3339. */
    static Instant parseTime(String s) {
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest decimal, no exponent, no trailing ".0". */
    static String seconds(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** The JSON number Go writes for a float64 (3600 not 3600.0). */
    static BigDecimal jsonSeconds(Duration d) {
        return new BigDecimal(seconds(d.toNanos() / 1e9));
    }

    /**
     * The playback server's duration parameter: seconds as a decimal number, or (deprecated) a Go duration such as
     * {@code 1m30s}. Null when it is neither.
     */
    static Duration parsePlaybackDuration(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            double secs = Double.parseDouble(s);
            if (Double.isNaN(secs) || Double.isInfinite(secs)) {
                return null;
            }
            return Duration.ofNanos(Math.round(secs * 1e9));
        } catch (NumberFormatException e) {
            // not seconds; try a Go duration
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(s);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            String number = m.group(1);
            if (number.isEmpty() || number.equals(".")) {
                return null;
            }
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += Double.parseDouble(number) * unit;
            pos = m.end();
        }
        return pos == s.length() && pos > 0 ? Duration.ofNanos(Math.round(nanos)) : null;
    }
}
