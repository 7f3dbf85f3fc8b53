package io.flux.media.storage.s3.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for S3 (header-based authorization), as documented in "Authenticating Requests:
 * Using the Authorization Header". Pure functions; the caller supplies the clock.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String SERVICE = "s3";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private SigV4() {
    }

    /** Lower-case hex SHA-256 of {@code data[off, off+len)}. */
    static String sha256Hex(byte[] data, int off, int len) {
        MessageDigest md = sha256();
        md.update(data, off, len);
        return HEX.formatHex(md.digest());
    }

    static String sha256Hex(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return sha256Hex(b, 0, b.length);
    }

    /**
     * S3's URI encoding: every byte except the unreserved characters {@code A-Z a-z 0-9 - . _ ~} becomes
     * {@code %XX} (upper-case hex); {@code '/'} is kept when {@code keepSlash} (object key paths) and encoded
     * otherwise (query parameters).
     */
    static String uriEncode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The query string in canonical form: names and values encoded, sorted by encoded name, {@code name=value}. */
    static String canonicalQuery(Map<String, String> query) {
        SortedMap<String, String> sorted = new TreeMap<>();
        query.forEach((k, v) -> sorted.put(uriEncode(k, false), uriEncode(v == null ? "" : v, false)));
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }

    /**
     * The canonical request. {@code canonicalUri} is already encoded; {@code headers} are the signed headers
     * (names in any case, values as sent).
     */
    static String canonicalRequest(String method, String canonicalUri, Map<String, String> query,
            Map<String, String> headers, String payloadHash) {
        SortedMap<String, String> h = lowerCased(headers);
        StringBuilder sb = new StringBuilder();
        sb.append(method).append('\n').append(canonicalUri).append('\n').append(canonicalQuery(query)).append('\n');
        h.forEach((k, v) -> sb.append(k).append(':').append(v.trim().replaceAll(" +", " ")).append('\n'));
        sb.append('\n').append(String.join(";", h.keySet())).append('\n').append(payloadHash);
        return sb.toString();
    }

    static String scope(Instant time, String region) {
        return DATE.format(time) + "/" + region + "/" + SERVICE + "/aws4_request";
    }

    static String stringToSign(Instant time, String region, String canonicalRequest) {
        return ALGORITHM + "\n" + AMZ_DATE.format(time) + "\n" + scope(time, region) + "\n"
                + sha256Hex(canonicalRequest);
    }

    static String signature(String secretKey, Instant time, String region, String stringToSign) {
        byte[] k = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), DATE.format(time));
        k = hmac(k, region);
        k = hmac(k, SERVICE);
        k = hmac(k, "aws4_request");
        return HEX.formatHex(hmac(k, stringToSign));
    }

    /** The {@code Authorization} header value for a request whose signed headers are {@code headers}. */
    static String authorization(Credentials credentials, Instant time, String region, String method,
            String canonicalUri, Map<String, String> query, Map<String, String> headers, String payloadHash) {
        String canonical = canonicalRequest(method, canonicalUri, query, headers, payloadHash);
        String signature = signature(credentials.secretKey(), time, region, stringToSign(time, region, canonical));
        return ALGORITHM + " Credential=" + credentials.accessKey() + "/" + scope(time, region) + ",SignedHeaders="
                + String.join(";", lowerCased(headers).keySet()) + ",Signature=" + signature;
    }

    private static SortedMap<String, String> lowerCased(Map<String, String> headers) {
        SortedMap<String, String> h = new TreeMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return h;
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
