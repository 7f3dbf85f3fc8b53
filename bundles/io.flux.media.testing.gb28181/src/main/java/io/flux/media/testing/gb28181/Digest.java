package io.flux.media.testing.gb28181;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP digest authentication for SIP (RFC 2617 / RFC 3261 section 22.4), the client side, MD5 only. */
final class Digest {

    private Digest() {
    }

    static String md5Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }

    /**
     * The request-digest: with {@code qop} (auth) {@code MD5(HA1:nonce:nc:cnonce:qop:HA2)}, without it the RFC 2069
     * form {@code MD5(HA1:nonce:HA2)}.
     */
    static String response(String user, String realm, String password, String method, String uri, String nonce,
            String nc, String cnonce, String qop) {
        String ha1 = md5Hex(user + ":" + realm + ":" + password);
        String ha2 = md5Hex(method + ":" + uri);
        if (qop == null) {
            return md5Hex(ha1 + ":" + nonce + ":" + ha2);
        }
        return md5Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    /**
     * The parameters of a {@code Digest ...} challenge or credentials, names lower-cased, values unquoted. Commas
     * inside quoted values (a qop list) are kept.
     */
    static Map<String, String> params(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header == null) {
            return out;
        }
        String s = header.trim();
        if (s.regionMatches(true, 0, "Digest", 0, 6)) {
            s = s.substring(6);
        }
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i)))) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = s.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String value;
            if (i < n && s.charAt(i) == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) {
                    end = n;
                }
                value = s.substring(i + 1, end);
                i = end + 1;
            } else {
                int end = s.indexOf(',', i);
                if (end < 0) {
                    end = n;
                }
                value = s.substring(i, end).trim();
                i = end;
            }
            out.put(name, value);
        }
        return out;
    }

    /** The challenge offers {@code qop=auth} (the list may also name auth-int). */
    static boolean offersAuth(Map<String, String> challenge) {
        String qop = challenge.get("qop");
        if (qop == null) {
            return false;
        }
        for (String q : qop.split(",")) {
            if (q.trim().equalsIgnoreCase("auth")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The Authorization header value answering {@code challenge} for a request with {@code method} and
     * {@code uri}; {@code nc} is the nonce count for this nonce (1 for the first use).
     */
    static String authorization(Map<String, String> challenge, String user, String password, String method,
            String uri, int nc, String cnonce) {
        String realm = challenge.getOrDefault("realm", "");
        String nonce = challenge.getOrDefault("nonce", "");
        boolean qop = offersAuth(challenge);
        String ncs = String.format("%08x", nc);
        String response = response(user, realm, password, method, uri, nonce, ncs, cnonce, qop ? "auth" : null);
        StringBuilder sb = new StringBuilder("Digest username=\"").append(user).append("\", realm=\"").append(realm)
                .append("\", nonce=\"").append(nonce).append("\", uri=\"").append(uri).append("\", response=\"")
                .append(response).append("\", algorithm=MD5");
        if (qop) {
            sb.append(", cnonce=\"").append(cnonce).append("\", qop=auth, nc=").append(ncs);
        }
        String opaque = challenge.get("opaque");
        if (opaque != null) {
            sb.append(", opaque=\"").append(opaque).append('"');
        }
        return sb.toString();
    }
}
