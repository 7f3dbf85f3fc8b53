package io.flux.media.protocol.gb28181.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP digest authentication of REGISTER (RFC 2617 / RFC 7616, MD5, {@code qop=auth}) as GB28181 uses it.
 * <p>
 * Nonces are {@code base64url(issue time || salt || HMAC-SHA256(key, issue time || salt || realm)[0..16])}
 * (the random salt makes each one unique): they expire
 * after the configured validity without any server state, and a restart (a new key) invalidates them.
 * The only per-device state is the highest nonce count accepted for the device's current nonce (replay
 * protection) and recent failure times (the 401 then 403 policy); both maps are bounded.
 * <p>
 * An expired, foreign or replayed nonce with a correct digest answers 401 with {@code stale=true}: the
 * device knows the password and may retry at once. A wrong digest counts as a failure; the
 * {@code maxFailures}-th failure within the window answers 403, and so does every attempt until the
 * oldest of those failures leaves the window, even with the right password (a brute-force brake).
 */
final class DigestAuthenticator {

    /** Why a REGISTER was not accepted; the label is the {@code reason} of the failure metric. */
    enum Reason {
        WRONG_PASSWORD("wrong_password"),
        STALE_NONCE("stale_nonce"),
        MALFORMED("malformed"),
        BLOCKED("blocked");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    enum Verdict {
        /** Authenticated. */
        OK,
        /** Answer 401 with {@link Outcome#challenge()}. */
        CHALLENGE,
        /** Answer 403. */
        FORBIDDEN
    }

    /**
     * @param reason    null for OK and for the first challenge of a request without credentials
     * @param challenge the {@code WWW-Authenticate} value for CHALLENGE, else null
     * @param detail    a log-safe explanation (never a password or digest)
     */
    record Outcome(Verdict verdict, Reason reason, String challenge, String detail) {
    }

    record Settings(String realm, Duration nonceValidity, int maxFailures, Duration failureWindow) {
    }

    /** Who may register with which password; replaced as a whole on a hot update. */
    record Passwords(String global, Map<String, String> perDevice) {

        Passwords {
            perDevice = Map.copyOf(perDevice);
        }

        /** The device's own password, else the global one; null when neither is set. */
        String lookup(String deviceId) {
            String own = perDevice.get(deviceId);
            if (own != null) {
                return own;
            }
            return global == null || global.isEmpty() ? null : global;
        }
    }

    /** Devices whose nonce counts and failures are remembered; beyond it the least recent are forgotten. */
    static final int MAX_TRACKED_DEVICES = 100_000;
    /** Nonces issued up to this far in the future (clock adjustments) still count as valid. */
    private static final long CLOCK_SKEW_MS = 5_000;
    private static final int TIME_BYTES = 8;
    private static final int SALT_BYTES = 8;
    private static final int MAC_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final Settings settings;
    private final Clock clock;
    private final SecretKeySpec key;
    private final BiPredicate<byte[], byte[]> constantTimeEquals;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, NonceUse> nonceUses = lru();
    private final Map<String, ArrayDeque<Long>> failures = lru();
    private volatile Passwords passwords;

    DigestAuthenticator(Settings settings, Passwords passwords, Clock clock) {
        this(settings, passwords, clock, randomKey(), MessageDigest::isEqual);
    }

    DigestAuthenticator(Settings settings, Passwords passwords, Clock clock, byte[] key,
            BiPredicate<byte[], byte[]> constantTimeEquals) {
        this.settings = settings;
        this.passwords = passwords;
        this.clock = clock;
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.constantTimeEquals = constantTimeEquals;
    }

    void passwords(Passwords passwords) {
        this.passwords = passwords;
    }

    String realm() {
        return settings.realm();
    }

    /** A {@code WWW-Authenticate} value with a fresh nonce. */
    String challenge(boolean stale) {
        return "Digest realm=\"" + settings.realm() + "\", nonce=\"" + newNonce(clock.millis())
                + "\", qop=\"auth\", algorithm=MD5" + (stale ? ", stale=true" : "");
    }

    /**
     * Checks the credentials a device sent with a request.
     *
     * @param authorization the {@code Authorization} header value, null when the request had none
     */
    Outcome authenticate(String deviceId, String method, String authorization) {
        long now = clock.millis();
        if (blocked(deviceId, now)) {
            return new Outcome(Verdict.FORBIDDEN, Reason.BLOCKED, null,
                    settings.maxFailures() + " failed attempts within " + settings.failureWindow().toSeconds() + " s");
        }
        if (authorization == null) {
            return new Outcome(Verdict.CHALLENGE, null, challenge(false), "no credentials");
        }
        Map<String, String> p;
        try {
            p = AuthParams.parseDigest(authorization);
        } catch (IllegalArgumentException e) {
            return failure(deviceId, now, Reason.MALFORMED, e.getMessage());
        }
        String problem = checkFields(deviceId, p);
        if (problem != null) {
            return failure(deviceId, now, Reason.MALFORMED, problem);
        }
        String nonce = p.get("nonce");
        String nc = p.get("nc");
        String password = passwords.lookup(deviceId);
        String expected = response(deviceId, settings.realm(), password == null ? "" : password, method,
                p.get("uri"), nonce, nc, p.get("cnonce"), "auth");
        boolean digestOk = constantTimeEquals.test(expected.getBytes(StandardCharsets.US_ASCII),
                p.get("response").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        if (!digestOk || password == null) {
            return failure(deviceId, now, Reason.WRONG_PASSWORD,
                    password == null ? "no password configured for the device and no global password"
                            : "digest does not match");
        }
        NonceState state = nonceState(nonce, now);
        if (state != NonceState.VALID) {
            return new Outcome(Verdict.CHALLENGE, Reason.STALE_NONCE, challenge(true),
                    state == NonceState.EXPIRED ? "nonce expired" : "nonce not issued by this server");
        }
        long count = Long.parseLong(nc, 16);
        if (!advanceNonceCount(deviceId, nonce, count)) {
            return new Outcome(Verdict.CHALLENGE, Reason.STALE_NONCE, challenge(true), "nonce count replayed");
        }
        synchronized (failures) {
            failures.remove(deviceId);
        }
        return new Outcome(Verdict.OK, null, null, null);
    }

    /** Forgets failures that left the window; called periodically. */
    void purge() {
        long horizon = clock.millis() - settings.failureWindow().toMillis();
        synchronized (failures) {
            failures.values().removeIf(times -> {
                while (!times.isEmpty() && times.peekFirst() <= horizon) {
                    times.pollFirst();
                }
                return times.isEmpty();
            });
        }
    }

    /** The RFC 2617 request-digest for {@code qop=auth} (lowercase hex). */
    static String response(String username, String realm, String password, String method, String uri, String nonce,
            String nc, String cnonce, String qop) {
        String ha1 = md5(username + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        return md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    private String checkFields(String deviceId, Map<String, String> p) {
        for (String name : new String[] {"username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce"}) {
            String v = p.get(name);
            if (v == null || v.isEmpty()) {
                return "missing " + name;
            }
        }
        if (!p.get("username").equals(deviceId)) {
            return "username is not the device id";
        }
        if (!p.get("realm").equals(settings.realm())) {
            return "realm is not " + settings.realm();
        }
        String algorithm = p.get("algorithm");
        if (algorithm != null && !algorithm.equalsIgnoreCase("MD5")) {
            return "algorithm " + algorithm + " not offered";
        }
        if (!p.get("qop").equalsIgnoreCase("auth")) {
            return "qop " + p.get("qop") + " not offered";
        }
        if (!p.get("nc").matches("[0-9a-fA-F]{8}")) {
            return "nc is not 8 hex digits";
        }
        if (!p.get("response").matches("[0-9a-fA-F]{32}")) {
            return "response is not an MD5 digest";
        }
        return null;
    }

    private Outcome failure(String deviceId, long now, Reason reason, String detail) {
        int recent;
        synchronized (failures) {
            ArrayDeque<Long> times = failures.computeIfAbsent(deviceId, k -> new ArrayDeque<>());
            times.addLast(now);
            recent = dropOld(times, now);
        }
        if (recent >= settings.maxFailures()) {
            return new Outcome(Verdict.FORBIDDEN, reason, null,
                    detail + " (failure " + recent + " within " + settings.failureWindow().toSeconds() + " s)");
        }
        return new Outcome(Verdict.CHALLENGE, reason, challenge(false), detail);
    }

    private boolean blocked(String deviceId, long now) {
        synchronized (failures) {
            ArrayDeque<Long> times = failures.get(deviceId);
            return times != null && dropOld(times, now) >= settings.maxFailures();
        }
    }

    private int dropOld(ArrayDeque<Long> times, long now) {
        long horizon = now - settings.failureWindow().toMillis();
        while (!times.isEmpty() && times.peekFirst() <= horizon) {
            times.pollFirst();
        }
        return times.size();
    }

    private boolean advanceNonceCount(String deviceId, String nonce, long count) {
        synchronized (nonceUses) {
            NonceUse last = nonceUses.get(deviceId);
            if (last != null && last.nonce.equals(nonce) && count <= last.count) {
                return false;
            }
            nonceUses.put(deviceId, new NonceUse(nonce, count));
            return true;
        }
    }

    private record NonceUse(String nonce, long count) {
    }

    private enum NonceState { VALID, EXPIRED, FOREIGN }

    String newNonce(long issuedAt) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        ByteBuffer b = ByteBuffer.allocate(TIME_BYTES + SALT_BYTES + MAC_BYTES);
        b.putLong(issuedAt);
        b.put(salt);
        b.put(mac(issuedAt, salt), 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private NonceState nonceState(String nonce, long now) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return NonceState.FOREIGN;
        }
        if (raw.length != TIME_BYTES + SALT_BYTES + MAC_BYTES) {
            return NonceState.FOREIGN;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        long issuedAt = b.getLong();
        byte[] salt = new byte[SALT_BYTES];
        b.get(salt);
        byte[] given = new byte[MAC_BYTES];
        b.get(given);
        byte[] expected = new byte[MAC_BYTES];
        System.arraycopy(mac(issuedAt, salt), 0, expected, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(expected, given)) {
            return NonceState.FOREIGN;
        }
        long age = now - issuedAt;
        return age < -CLOCK_SKEW_MS || age > settings.nonceValidity().toMillis() ? NonceState.EXPIRED
                : NonceState.VALID;
    }

    private byte[] mac(long issuedAt, byte[] salt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(ByteBuffer.allocate(TIME_BYTES).putLong(issuedAt).array());
            mac.update(salt);
            return mac.doFinal(settings.realm().getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }

    static String md5(String s) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java platform", e);
        }
    }

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_TRACKED_DEVICES;
            }
        };
    }
}
