package io.flux.media.recording.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.flux.media.api.stream.StreamId;

/**
 * Storage keys of segments: {@code {stream_id}/segments/{yyyyMMdd}/{startMillis}-{seq}.mp4}, the date in UTC. The
 * segment's name in the REST API is {@code {startMillis}-{seq}}.
 */
final class SegmentKeys {

    static final String SEGMENTS = "/segments/";
    static final String SUFFIX = ".mp4";

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final Pattern KEY = Pattern.compile("(.+)/segments/(\\d{8})/((\\d{1,18})-(\\d{1,9}))\\.mp4");
    private static final Pattern NAME = Pattern.compile("(\\d{1,18})-(\\d{1,9})");

    private SegmentKeys() {
    }

    /** A parsed segment key. */
    record Parsed(StreamId stream, String name, long startMillis, long sequence) {
    }

    static String name(long startMillis, long sequence) {
        return startMillis + "-" + sequence;
    }

    static String key(StreamId stream, long startMillis, long sequence) {
        return stream.value() + SEGMENTS + DAY.format(Instant.ofEpochMilli(startMillis)) + '/'
                + name(startMillis, sequence) + SUFFIX;
    }

    /** The key of a segment given its REST name ({@code .mp4} suffix optional), or empty for a malformed name. */
    static Optional<String> keyOfName(StreamId stream, String name) {
        String n = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        Matcher m = NAME.matcher(n);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(key(stream, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }

    static boolean isName(String name) {
        String n = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        return NAME.matcher(n).matches();
    }

    /** Parses a storage key; empty when it is not a segment key this bundle writes. */
    static Optional<Parsed> parse(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches() || !StreamId.isValid(m.group(1))) {
            return Optional.empty();
        }
        long start = Long.parseLong(m.group(4));
        if (!DAY.format(Instant.ofEpochMilli(start)).equals(m.group(2))) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(StreamId.of(m.group(1)), m.group(3), start, Long.parseLong(m.group(5))));
    }

    /** The listing prefix of a stream's segments. */
    static String prefix(StreamId stream) {
        return stream.value() + SEGMENTS;
    }
}
