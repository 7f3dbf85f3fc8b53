package io.flux.media.publish.rtsp.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RTSP authentication (RFC 2326 §D, RFC 2617): answers a server's {@code WWW-Authenticate} challenges with Basic or
 * Digest (MD5, with or without {@code qop=auth}). Digest is preferred when both are offered. Keeps the last
 * challenge so that later requests of the session are authorized without another 401 round trip.
 */
final class RtspAuth {

    private static final Pattern PARAM = Pattern.compile("([A-Za-z-]+)\\s*=\\s*(?:\"([^\"]*)\"|([^,\\s]*))");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String user;
    private final String password;
    private String scheme;
    private Map<String, String> challenge = Map.of();
    private int nonceCount;

    RtspAuth(String user, String password) {
        this.user = user;
        this.password = password == null ? "" : password;
    }

    boolean hasCredentials() {
        return user != null && !user.isEmpty();
    }

    /**
     * Takes the challenges of a 401 answer. False when there are no credentials or no scheme this client speaks,
     * or when the server refused credentials for the same challenge already (so retrying is pointless).
     */
    boolean accept(List<String> challenges) {
        if (!hasCredentials()) {
            return false;
        }
        String chosenScheme = null;
        Map<String, String> chosen = null;
        for (String c : challenges) {
            String trimmed = c.trim();
            int sp = trimmed.indexOf(' ');
            String s = (sp < 0 ? trimmed : trimmed.substring(0, sp)).toLowerCase(Locale.ROOT);
            Map<String, String> params = params(sp < 0 ? "" : trimmed.substring(sp + 1));
            if (s.equals("digest") && params.containsKey("nonce")
                    && params.getOrDefault("algorithm", "MD5").equalsIgnoreCase("MD5")) {
                chosenScheme = "digest";
                chosen = params;
                break;
            }
            if (s.equals("basic") && chosenScheme == null) {
                chosenScheme = "basic";
                chosen = params;
            }
        }
        if (chosenScheme == null) {
            return false;
        }
        boolean stale = "true".equalsIgnoreCase(chosen.get("stale"));
        boolean sameAsBefore = chosenScheme.equals(scheme) && chosen.equals(challenge);
        if (sameAsBefore && !stale) {
            return false;
        }
        scheme = chosenScheme;
        challenge = chosen;
        nonceCount = 0;
        return true;
    }

    /** The Authorization header for a request, or null before any challenge was accepted. */
    String authorization(String method, String uri) {
        if (scheme == null) {
            return null;
        }
        if (scheme.equals("basic")) {
            return "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        String realm = challenge.getOrDefault("realm", "");
        String nonce = challenge.get("nonce");
        String ha1 = md5(user + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        StringBuilder sb = new StringBuilder("Digest username=\"").append(user).append("\", realm=\"")
                .append(realm).append("\", nonce=\"").append(nonce).append("\", uri=\"").append(uri).append('"');
        String qop = challenge.get("qop");
        if (qop != null && List.of(qop.split(",")).stream().map(String::trim).anyMatch("auth"::equals)) {
            String nc = String.format("%08x", ++nonceCount);
            byte[] c = new byte[8];
            RANDOM.nextBytes(c);
            String cnonce = HexFormat.of().formatHex(c);
            sb.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
            sb.append(", response=\"").append(md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2))
                    .append('"');
        } else {
            sb.append(", response=\"").append(md5(ha1 + ":" + nonce + ":" + ha2)).append('"');
        }
        if (challenge.containsKey("opaque")) {
            sb.append(", opaque=\"").append(challenge.get("opaque")).append('"');
        }
        if (challenge.containsKey("algorithm")) {
            sb.append(", algorithm=").append(challenge.get("algorithm"));
        }
        return sb.toString();
    }

    static Map<String, String> params(String text) {
        Map<String, String> out = new HashMap<>();
        Matcher m = PARAM.matcher(text);
        while (m.find()) {
            out.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JDK", e);
        }
    }
}
