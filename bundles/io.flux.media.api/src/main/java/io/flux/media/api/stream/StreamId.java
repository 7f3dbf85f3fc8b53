package io.flux.media.api.stream;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Protocol-independent name of a stream, such as {@code gb28181/34020000001320000001/34020000001310000001}
 * or {@code rtsp/camera-1.local/live}.
 * <p>
 * A stream id doubles as a storage prefix ({@code {stream_id}/segments/...}), so it is validated strictly:
 * segments separated by single {@code /}, each made of {@code [A-Za-z0-9._-]}, no empty segment, no
 * {@code .} or {@code ..} segment, no leading or trailing {@code /}, at most {@value #MAX_LENGTH} characters.
 * The first segment names the protocol.
 */
public record StreamId(String value) implements Comparable<StreamId> {

    public static final int MAX_LENGTH = 255;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public StreamId {
        Objects.requireNonNull(value, "stream id");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid stream id '" + printable(value) + "': " + problem);
        }
    }

    /** Parses and validates; throws {@link IllegalArgumentException} naming the problem. */
    public static StreamId of(String value) {
        return new StreamId(value);
    }

    /** Builds an id from a protocol and further segments, each validated. */
    public static StreamId of(String protocol, String... segments) {
        StringBuilder sb = new StringBuilder(protocol);
        for (String s : segments) {
            sb.append('/').append(s);
        }
        return new StreamId(sb.toString());
    }

    /** Returns {@code null} when valid, otherwise why not. */
    public static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        if (value.startsWith("/")) {
            return "must not be an absolute path";
        }
        if (value.endsWith("/")) {
            return "must not end with '/'";
        }
        String[] parts = value.split("/", -1);
        if (parts.length < 2) {
            return "needs a protocol and a name, as in 'protocol/name'";
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                return "empty segment";
            }
            if (part.equals(".") || part.equals("..")) {
                return "'.' and '..' segments are not allowed";
            }
            if (!SEGMENT.matcher(part).matches()) {
                return "segment '" + printable(part) + "' must be 1-128 characters of A-Z a-z 0-9 . _ -";
            }
        }
        return null;
    }

    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    /** The first segment, naming the protocol ({@code gb28181}, {@code rtsp}, {@code replay}, ...). */
    public String protocol() {
        return value.substring(0, value.indexOf('/'));
    }

    /** All segments after the protocol. */
    public List<String> path() {
        return List.of(value.substring(value.indexOf('/') + 1).split("/"));
    }

    @Override
    public int compareTo(StreamId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
