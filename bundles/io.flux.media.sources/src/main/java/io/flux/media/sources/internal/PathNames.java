package io.flux.media.sources.internal;

import java.util.UUID;

/**
 * MediaMTX path names of sources: {@code live/{slug}-{8 hex}}. The random suffix makes two sources with the same
 * name distinct and keeps a name that slugs to nothing usable; MediaMTX accepts {@code [0-9a-zA-Z_\-/.]} only, so
 * the slug keeps ASCII letters, digits, '-' and '_' and nothing that could form a '.' or '..' segment.
 */
final class PathNames {

    static final String PREFIX = "live/";
    /** Longest slug; the whole name stays at most 5 + 48 + 1 + 8 = 62 characters. */
    static final int MAX_SLUG = 48;
    static final String EMPTY_SLUG = "stream";

    private PathNames() {
    }

    /** A fresh path name for a source called {@code name}. */
    static String generate(String name) {
        return PREFIX + slug(name) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * ASCII letters, digits, '-' and '_' kept; each run of whitespace becomes one '-' (leading and trailing
     * whitespace is dropped); everything else is dropped; at most {@value #MAX_SLUG} characters; {@code stream} when
     * nothing is left.
     */
    static String slug(String name) {
        StringBuilder b = new StringBuilder(MAX_SLUG);
        String s = name == null ? "" : name.strip();
        boolean pendingSpace = false;
        for (int i = 0; i < s.length() && b.length() < MAX_SLUG;) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = true;
                continue;
            }
            if (!isKept(cp)) {
                continue;
            }
            if (pendingSpace && !b.isEmpty()) {
                if (b.length() >= MAX_SLUG - 1) {
                    break; // no room for the dash and a character after it: end at the word boundary
                }
                b.append('-');
            }
            pendingSpace = false;
            b.append((char) cp);
        }
        return b.isEmpty() ? EMPTY_SLUG : b.toString();
    }

    private static boolean isKept(int cp) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '-'
                || cp == '_';
    }
}
