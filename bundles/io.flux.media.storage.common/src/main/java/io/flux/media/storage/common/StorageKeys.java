package io.flux.media.storage.common;

import java.util.regex.Pattern;

/**
 * The one set of rules for object keys and listing prefixes, shared by every storage backend: recordings
 * move between backends, so a key one backend accepts must be accepted by all of them. The rules are
 * therefore the strictest any backend needs (SMB's). A key is a relative, '/'-separated path; anything that
 * could escape the root, name something other than a plain file below it, or not be stored as-is on an SMB
 * share is refused with an {@link IllegalArgumentException} that says what is wrong.
 */
public final class StorageKeys {

    public static final int MAX_KEY_LENGTH = 1024;
    /** Leaves room in a 255-byte file name for the temporary-file decoration. */
    public static final int MAX_SEGMENT_LENGTH = 200;
    /** Characters an SMB server refuses (or silently mangles) in a file name, besides '/' and '\\'. */
    public static final String SMB_RESERVED = "\":*<>?|";

    /**
     * {@code .name.tmp-<uuid>}: what a write in progress (or one interrupted by a crash) is called by the
     * file-based backends. Refused as a key everywhere so that no backend can hold an object another would
     * take for debris.
     */
    public static final Pattern TEMP_NAME = Pattern.compile(
            "\\..+\\.tmp-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private StorageKeys() {
    }

    /** Checks an object key; returns it unchanged. */
    public static String requireValidKey(String key) {
        String problem = keyProblem(key);
        if (problem != null) {
            throw new IllegalArgumentException("invalid storage key '" + printable(key) + "': " + problem);
        }
        return key;
    }

    /** Checks a listing prefix: like a key, but it may be empty and may end with '/' or a partial name. */
    public static String requireValidPrefix(String prefix) {
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

    /** What is wrong with a key, or null when it is valid. */
    public static String keyProblem(String key) {
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
            char c = key.charAt(i);
            if (SMB_RESERVED.indexOf(c) >= 0) {
                return "contains '" + c + "', which SMB does not allow in file names";
            }
            if (Character.isISOControl(c)) {
                return "contains a control character";
            }
        }
        if (key.startsWith("/")) {
            return "must be relative, not an absolute path";
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
            if (segment.endsWith(".") || segment.endsWith(" ")) {
                return "segment '" + segment + "' ends with '.' or a space, which SMB strips";
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

    /** Whether a file name is a backend's temporary file (listings skip them). */
    public static boolean isTempName(String fileName) {
        return TEMP_NAME.matcher(fileName).matches();
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
