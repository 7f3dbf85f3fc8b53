package io.flux.media.testing.gb28181;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class DigestTest {

    @Test
    void rfc2617Vector() {
        // RFC 2617 section 3.5
        assertThat(Digest.response("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth"))
                .isEqualTo("6629fae49393a05397450978507c4ef1");
    }

    @Test
    void rfc2069VectorWithoutQop() {
        // RFC 2069 section 2.4
        assertThat(Digest.response("Mufasa", "testrealm@host.com", "CircleOfLife", "GET", "/dir/index.html",
                "dcd98b7102dd2f0e8b11d0f600bfb0c093", null, null, null))
                .isEqualTo("1949323746fe6a43ef61f9606e7febea");
    }

    @Test
    void parsesChallengeWithQuotedListsAndUnquotedValues() {
        Map<String, String> p = Digest.params("Digest realm=\"3402000000\",nonce=\"a,b=c\", qop=\"auth,auth-int\", "
                + "algorithm=MD5, stale=TRUE, opaque=\"xyz\"");
        assertThat(p).containsEntry("realm", "3402000000").containsEntry("nonce", "a,b=c")
                .containsEntry("qop", "auth,auth-int").containsEntry("algorithm", "MD5").containsEntry("stale", "TRUE")
                .containsEntry("opaque", "xyz");
        assertThat(Digest.offersAuth(p)).isTrue();
        assertThat(Digest.offersAuth(Map.of("qop", "auth-int"))).isFalse();
    }

    @Test
    void authorizationAnswersTheChallengeVerifiably() {
        Map<String, String> challenge = Digest.params("Digest realm=\"r\", nonce=\"n\", qop=\"auth\", opaque=\"o\"");
        String auth = Digest.authorization(challenge, "34020000001320000001", "pw", "REGISTER",
                "sip:34020000002000000001@3402000000", 2, "cn");
        Map<String, String> p = Digest.params(auth);
        assertThat(p).containsEntry("username", "34020000001320000001").containsEntry("realm", "r")
                .containsEntry("nonce", "n").containsEntry("uri", "sip:34020000002000000001@3402000000")
                .containsEntry("qop", "auth").containsEntry("nc", "00000002").containsEntry("cnonce", "cn")
                .containsEntry("algorithm", "MD5").containsEntry("opaque", "o");
        String ha1 = Digest.md5Hex("34020000001320000001:r:pw");
        String ha2 = Digest.md5Hex("REGISTER:sip:34020000002000000001@3402000000");
        assertThat(p.get("response")).isEqualTo(Digest.md5Hex(ha1 + ":n:00000002:cn:auth:" + ha2));
    }

    @Test
    void withoutQopTheRfc2069FormIsSent() {
        String auth = Digest.authorization(Map.of("realm", "r", "nonce", "n"), "u", "p", "REGISTER", "sip:x", 1, "c");
        assertThat(auth).doesNotContain("qop", "nc=", "cnonce");
    }
}
