package io.flux.media.storage.s3.internal;

import java.util.regex.Pattern;

/**
 * Validation of object keys and listing prefixes, with exactly the rules of the local backend so that a key
 * accepted here is accepted by every backend (recordings move between them). A key is a relative,
 * '/'-separated path; anything else is refused with an {@link IllegalArgumentException} that says what is wrong.
 */
final class Keys {

    static final int MAX_KEY_LENGTH = 1024;
    /** Leaves room in a 255-byte file name for the temporary-file decoration. */
    static final int MAX_SEGMENT_LENGTH = 200;

    /** {@code .name.tmp-<uuid>}: what a write in progress (or one interrupted by a crash) is called. */
    static final Pattern TEMP_NAME = Pattern.compile(
            "\\..+\\.tmp-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Keys() {
    }

    /** Checks an object key; returns it unchanged. */
    static String requireValidKey(String key) {
        String problem = keyProblem(key);
        if (problem != null) {
            throw new IllegalArgumentException("invalid storage key '" + printable(key) + "': " + problem);
        }
        return key;
    }

    /** Checks a listing prefix: like a key, but it may be empty and may end with '/' or a partial name. */
    static String requireValidPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String problem = trimmed.isEmpty() ? "must not be '/' alone (use an empty prefix)" : keyProblem(trimmed);
        if (problem != null) {
            throw new IllegalArgumentException("invalid storage prefix '" + printable(prefix) + "': " + problem);
        }
        return prefix;
    }

    static String keyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return "must not be empty";
        }
        if (key.length() > MAX_KEY_LENGTH) {
            return "longer than " + MAX_KEY_LENGTH + " characters";
        }
        if (key.indexOf('\0') >= 0) {
            return "contains a NUL character";
        }
        if (key.indexOf('\\') >= 0) {
            return "contains a backslash (use '/' to separate segments)";
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                return "contains a control character";
            }
        }
        if (key.startsWith("/")) {
            return "must be relative, not an absolute path";
        }
        if (key.length() >= 2 && key.charAt(1) == ':' && Character.isLetter(key.charAt(0))) {
            return "must be relative, not a drive path";
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty segment ('//' or a trailing '/')";
            }
            if (segment.equals("..")) {
                return "'..' segments are not allowed";
            }
            if (segment.equals(".")) {
                return "'.' segments are not allowed";
            }
            if (segment.length() > MAX_SEGMENT_LENGTH) {
                return "segment longer than " + MAX_SEGMENT_LENGTH + " characters";
            }
            if (TEMP_NAME.matcher(segment).matches()) {
                return "segment '" + segment + "' is reserved for temporary files";
            }
        }
        return null;
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
