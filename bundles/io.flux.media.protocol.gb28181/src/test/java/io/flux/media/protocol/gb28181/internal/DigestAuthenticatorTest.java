package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.flux.media.protocol.gb28181.internal.DigestAuthenticator.Outcome;
import io.flux.media.protocol.gb28181.internal.DigestAuthenticator.Passwords;
import io.flux.media.protocol.gb28181.internal.DigestAuthenticator.Reason;
import io.flux.media.protocol.gb28181.internal.DigestAuthenticator.Settings;
import io.flux.media.protocol.gb28181.internal.DigestAuthenticator.Verdict;

class DigestAuthenticatorTest {

    static final String REALM = "3402000000";
    static final String DEVICE = "34020000001320000001";
    static final String URI = "sip:34020000002000000001@3402000000";
    private static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private final Settings settings = new Settings(REALM, Duration.ofSeconds(300), 3, Duration.ofSeconds(600));
    private DigestAuthenticator auth = new DigestAuthenticator(settings,
            new Passwords("global-secret", Map.of("34020000001320000002", "own-secret")), clock);

    @Test
    void rfc2617ExampleDigest() {
        // RFC 2617 section 3.5.
        assertThat(DigestAuthenticator.response("Mufasa", "testrealm@host.com", "Circle Of Life", "GET",
                "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth"))
                .isEqualTo("6629fae49393a05397450978507c4ef1");
    }

    @Test
    void rfc7616Md5ExampleDigest() {
        // RFC 7616 section 3.9.1, the MD5 variant.
        assertThat(DigestAuthenticator.response("Mufasa", "http-auth@example.org", "Circle of Life", "GET",
                "/dir/index.html", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth"))
                .isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
    }

    @Test
    void requestWithoutCredentialsIsChallengedWithQopAuth() {
        Outcome o = auth.authenticate(DEVICE, "REGISTER", null);

        assertThat(o.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(o.reason()).isNull();
        assertThat(o.challenge()).startsWith("Digest realm=\"3402000000\", nonce=\"")
                .contains("qop=\"auth\"", "algorithm=MD5").doesNotContain("stale");
        assertThat(AuthParams.parseDigest(o.challenge())).containsKeys("realm", "nonce", "qop", "algorithm");
    }

    @Test
    void correctDigestIsAccepted() {
        String nonce = nonce(auth.challenge(false));

        Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, 1));

        assertThat(o.verdict()).isEqualTo(Verdict.OK);
        assertThat(o.reason()).isNull();
    }

    @Test
    void uppercaseHexResponseIsAccepted() {
        String nonce = nonce(auth.challenge(false));
        String response = DigestAuthenticator.response(DEVICE, REALM, "global-secret", "REGISTER", URI, nonce,
                "00000001", "abc", "auth").toUpperCase();
        String header = header(DEVICE, nonce, "00000001", "abc", response);

        assertThat(auth.authenticate(DEVICE, "REGISTER", header).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void deviceOwnPasswordTakesPrecedenceOverTheGlobalOne() {
        String device2 = "34020000001320000002";
        String nonce = nonce(auth.challenge(false));

        assertThat(auth.authenticate(device2, "REGISTER", credentials(device2, "global-secret", nonce, 1)).reason())
                .isEqualTo(Reason.WRONG_PASSWORD);
        assertThat(auth.authenticate(device2, "REGISTER", credentials(device2, "own-secret", nonce, 2)).verdict())
                .isEqualTo(Verdict.OK);
    }

    @Test
    void passwordUpdateAppliesToTheNextRequest() {
        String nonce = nonce(auth.challenge(false));
        auth.passwords(new Passwords("rotated", Map.of()));

        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, 1)).reason())
                .isEqualTo(Reason.WRONG_PASSWORD);
        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "rotated", nonce, 2)).verdict())
                .isEqualTo(Verdict.OK);
    }

    @Test
    void withoutAnyPasswordNobodyRegisters() {
        auth = new DigestAuthenticator(settings, new Passwords("", Map.of()), clock);
        String nonce = nonce(auth.challenge(false));

        Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "", nonce, 1));

        assertThat(o.reason()).isEqualTo(Reason.WRONG_PASSWORD);
        assertThat(o.detail()).contains("no password configured");
    }

    @Test
    void wrongPasswordIsChallengedThenForbiddenAfterMaxFailuresAndBlocksTheRightOneUntilTheWindowPasses() {
        String nonce = nonce(auth.challenge(false));

        Outcome first = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess1", nonce, 1));
        Outcome second = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess2", nonce, 2));
        Outcome third = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess3", nonce, 3));

        assertThat(first.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(first.reason()).isEqualTo(Reason.WRONG_PASSWORD);
        assertThat(first.challenge()).doesNotContain("stale");
        assertThat(second.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(third.verdict()).isEqualTo(Verdict.FORBIDDEN);
        assertThat(third.reason()).isEqualTo(Reason.WRONG_PASSWORD);

        clock.advance(Duration.ofSeconds(100));
        String fresh = nonce(auth.challenge(false));
        Outcome blocked = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", fresh, 1));
        assertThat(blocked.verdict()).isEqualTo(Verdict.FORBIDDEN);
        assertThat(blocked.reason()).isEqualTo(Reason.BLOCKED);

        // Another device is not affected.
        assertThat(auth.authenticate("34020000001320000009", "REGISTER",
                credentials("34020000001320000009", "global-secret", fresh, 1)).verdict()).isEqualTo(Verdict.OK);

        clock.advance(Duration.ofSeconds(501));
        String later = nonce(auth.challenge(false));
        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", later, 1)).verdict())
                .isEqualTo(Verdict.OK);
    }

    @Test
    void successResetsTheFailureCount() {
        String nonce = nonce(auth.challenge(false));
        auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess1", nonce, 1));
        auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess2", nonce, 2));
        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, 3)).verdict())
                .isEqualTo(Verdict.OK);

        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess3", nonce, 4)).verdict())
                .isEqualTo(Verdict.CHALLENGE);
    }

    @Test
    void expiredNonceWithTheRightPasswordIsStaleAndNotAFailure() {
        String nonce = nonce(auth.challenge(false));
        clock.advance(Duration.ofSeconds(301));

        for (int i = 1; i <= 5; i++) {
            Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, i));
            assertThat(o.verdict()).isEqualTo(Verdict.CHALLENGE);
            assertThat(o.reason()).isEqualTo(Reason.STALE_NONCE);
            assertThat(o.challenge()).endsWith(", stale=true");
            assertThat(nonce(o.challenge())).isNotEqualTo(nonce);
        }
        String fresh = nonce(auth.challenge(false));
        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", fresh, 1)).verdict())
                .isEqualTo(Verdict.OK);
    }

    @Test
    void nonceAtTheEndOfItsValidityIsStillAccepted() {
        String nonce = nonce(auth.challenge(false));
        clock.advance(Duration.ofSeconds(300));

        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, 1)).verdict())
                .isEqualTo(Verdict.OK);
    }

    @Test
    void expiredNonceWithAWrongPasswordIsAWrongPassword() {
        String nonce = nonce(auth.challenge(false));
        clock.advance(Duration.ofSeconds(301));

        Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess", nonce, 1));

        assertThat(o.reason()).isEqualTo(Reason.WRONG_PASSWORD);
        assertThat(o.challenge()).doesNotContain("stale");
    }

    @Test
    void nonceFromAnotherServerInstanceIsStale() {
        DigestAuthenticator before = new DigestAuthenticator(settings, new Passwords("global-secret", Map.of()),
                clock);
        String foreign = nonce(before.challenge(false));

        Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", foreign, 1));

        assertThat(o.reason()).isEqualTo(Reason.STALE_NONCE);
        assertThat(o.detail()).contains("not issued by this server");
        Outcome forged = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", "bm90IGEgbm9uY2U", 1));
        assertThat(forged.reason()).isEqualTo(Reason.STALE_NONCE);
    }

    @Test
    void tamperedNonceTimestampIsRejected() {
        String nonce = nonce(auth.challenge(false));
        clock.advance(Duration.ofSeconds(301));
        byte[] raw = java.util.Base64.getUrlDecoder().decode(nonce);
        raw[5] ^= 0x10; // claim an issue time 17 minutes later, without the key
        String tampered = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);

        Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", tampered, 1));

        assertThat(o.reason()).isEqualTo(Reason.STALE_NONCE);
        assertThat(o.detail()).contains("not issued by this server");
    }

    @Test
    void replayedNonceCountIsStale() {
        String nonce = nonce(auth.challenge(false));
        String first = credentials(DEVICE, "global-secret", nonce, 1);

        assertThat(auth.authenticate(DEVICE, "REGISTER", first).verdict()).isEqualTo(Verdict.OK);
        Outcome replay = auth.authenticate(DEVICE, "REGISTER", first);
        assertThat(replay.verdict()).isEqualTo(Verdict.CHALLENGE);
        assertThat(replay.reason()).isEqualTo(Reason.STALE_NONCE);
        assertThat(replay.detail()).isEqualTo("nonce count replayed");

        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, 2)).verdict())
                .isEqualTo(Verdict.OK);
        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", nonce, 1)).reason())
                .isEqualTo(Reason.STALE_NONCE);
        // A new nonce starts counting again.
        String next = nonce(auth.challenge(false));
        assertThat(auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "global-secret", next, 1)).verdict())
                .isEqualTo(Verdict.OK);
    }

    @Test
    void malformedCredentialsAreFailures() {
        String nonce = nonce(auth.challenge(false));
        String ok = DigestAuthenticator.response(DEVICE, REALM, "global-secret", "REGISTER", URI, nonce, "00000001",
                "c", "auth");
        List<String> bad = List.of(
                "Basic dXNlcjpwYXNz",
                "Digest username=\"" + DEVICE + "\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + URI
                        + "\", response=\"" + ok + "\", qop=auth, nc=00000001",
                header(DEVICE, nonce, "00000001", "c", ok).replace("qop=auth", "qop=auth-int"),
                header(DEVICE, nonce, "1", "c", ok),
                header(DEVICE, nonce, "00000001", "c", "zz" + ok.substring(2)),
                header("34020000001320000099", nonce, "00000001", "c", ok),
                header(DEVICE, nonce, "00000001", "c", ok).replace(REALM, "3402000001"),
                header(DEVICE, nonce, "00000001", "c", ok) + ", algorithm=SHA-256",
                "Digest username=\"" + DEVICE + "\", realm=\"unterminated",
                "Digest username=\"" + DEVICE + "\" realm=\"" + REALM + "\"");

        for (String header : bad) {
            DigestAuthenticator fresh = new DigestAuthenticator(settings, new Passwords("global-secret", Map.of()),
                    clock);
            assertThat(fresh.authenticate(DEVICE, "REGISTER", header).reason()).as(header)
                    .isEqualTo(Reason.MALFORMED);
        }
        // And they count towards the 403.
        auth.authenticate(DEVICE, "REGISTER", bad.get(0));
        auth.authenticate(DEVICE, "REGISTER", bad.get(1));
        assertThat(auth.authenticate(DEVICE, "REGISTER", bad.get(2)).verdict()).isEqualTo(Verdict.FORBIDDEN);
    }

    @Test
    void digestComparisonGoesThroughTheConstantTimeComparator() {
        List<byte[][]> calls = new ArrayList<>();
        boolean[] answer = {true};
        DigestAuthenticator spied = new DigestAuthenticator(settings, new Passwords("global-secret", Map.of()), clock,
                new byte[32], (a, b) -> {
                    calls.add(new byte[][] {a, b});
                    return answer[0] && MessageDigest.isEqual(a, b);
                });
        String nonce = nonce(spied.challenge(false));
        String expected = DigestAuthenticator.response(DEVICE, REALM, "global-secret", "REGISTER", URI, nonce,
                "00000001", "c", "auth");

        assertThat(spied.authenticate(DEVICE, "REGISTER", header(DEVICE, nonce, "00000001", "c", expected)).verdict())
                .isEqualTo(Verdict.OK);
        assertThat(calls).hasSize(1);
        assertThat(new String(calls.get(0)[0], StandardCharsets.US_ASCII)).isEqualTo(expected);
        assertThat(new String(calls.get(0)[1], StandardCharsets.US_ASCII)).isEqualTo(expected);

        // The verdict is the comparator's: the same correct digest fails when it says no.
        answer[0] = false;
        String expected2 = DigestAuthenticator.response(DEVICE, REALM, "global-secret", "REGISTER", URI, nonce,
                "00000002", "c", "auth");
        assertThat(spied.authenticate(DEVICE, "REGISTER", header(DEVICE, nonce, "00000002", "c", expected2)).reason())
                .isEqualTo(Reason.WRONG_PASSWORD);
    }

    @Test
    void purgeForgetsFailuresOutsideTheWindow() {
        String nonce = nonce(auth.challenge(false));
        auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess1", nonce, 1));
        auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess2", nonce, 2));
        clock.advance(Duration.ofSeconds(601));
        auth.purge();

        String fresh = nonce(auth.challenge(false));
        Outcome o = auth.authenticate(DEVICE, "REGISTER", credentials(DEVICE, "guess3", fresh, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.CHALLENGE);
    }

    @Test
    void authParamsHandleQuotingEscapesAndTokens() {
        Map<String, String> p = AuthParams.parseDigest(
                "Digest  username=\"a\\\"b\" ,realm=r,  nonce=\"x,y\",uri=\"sip:1@2\", NC=00000001");

        assertThat(p).containsEntry("username", "a\"b").containsEntry("realm", "r").containsEntry("nonce", "x,y")
                .containsEntry("uri", "sip:1@2").containsEntry("nc", "00000001");
        assertThatThrownBy(() -> AuthParams.parseDigest("Digest realm=a, realm=b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeated");
        assertThatThrownBy(() -> AuthParams.parseDigest("Digest"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static String nonce(String challenge) {
        Matcher m = NONCE.matcher(challenge);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static String credentials(String user, String password, String nonce, int nc) {
        String ncs = String.format("%08x", nc);
        String cnonce = "cn" + nc;
        return header(user, nonce, ncs, cnonce,
                DigestAuthenticator.response(user, REALM, password, "REGISTER", URI, nonce, ncs, cnonce, "auth"));
    }

    static String header(String user, String nonce, String nc, String cnonce, String response) {
        return "Digest username=\"" + user + "\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + URI
                + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"" + cnonce + "\", qop=auth, nc=" + nc;
    }
}
