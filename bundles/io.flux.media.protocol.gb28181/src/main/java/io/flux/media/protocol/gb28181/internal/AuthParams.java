package io.flux.media.protocol.gb28181.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the auth-params of a {@code Digest} credentials value (RFC 7235 / RFC 3261 section 25):
 * {@code name=token} or {@code name="quoted string"} separated by commas. Parameter names are returned
 * lowercase; quoted values are unescaped.
 */
final class AuthParams {

    /** More than this many parameters is not a digest response. */
    private static final int MAX_PARAMS = 32;

    private AuthParams() {
    }

    /** @throws IllegalArgumentException with a log-safe message when the value is not Digest credentials */
    static Map<String, String> parseDigest(String value) {
        String s = value.strip();
        int sp = indexOfWhitespace(s);
        if (sp < 0 || !s.substring(0, sp).equalsIgnoreCase("Digest")) {
            throw new IllegalArgumentException("not Digest credentials");
        }
        Map<String, String> params = new HashMap<>();
        int i = sp;
        int n = s.length();
        while (true) {
            while (i < n && (s.charAt(i) == ',' || isWhitespace(s.charAt(i)))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int nameStart = i;
            while (i < n && isTokenChar(s.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                throw new IllegalArgumentException("bad character in parameter name");
            }
            String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
            i = skipWhitespace(s, i);
            if (i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException("parameter " + safe(name) + " has no value");
            }
            i = skipWhitespace(s, i + 1);
            String v;
            if (i < n && s.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        b.append(s.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        b.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value of " + safe(name));
                }
                v = b.toString();
            } else {
                int start = i;
                while (i < n && isValueChar(s.charAt(i))) {
                    i++;
                }
                v = s.substring(start, i);
            }
            if (params.put(name, v) != null) {
                throw new IllegalArgumentException("parameter " + safe(name) + " repeated");
            }
            if (params.size() > MAX_PARAMS) {
                throw new IllegalArgumentException("too many parameters");
            }
            i = skipWhitespace(s, i);
            if (i < n && s.charAt(i) != ',') {
                throw new IllegalArgumentException("parameters not separated by commas");
            }
        }
        return params;
    }

    private static String safe(String name) {
        return name.length() > 32 ? name.substring(0, 32) + "..." : name;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7f && c != ',' && c != '"' && c != '=';
    }

    /** Unquoted values may also hold '=' (base64 padding of nonces some devices leave unquoted). */
    private static boolean isValueChar(char c) {
        return c > 0x20 && c < 0x7f && c != ',' && c != '"';
    }
}
