package io.flux.media.publish.rtsp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RtspAuthTest {

    @Test
    void basic() {
        RtspAuth auth = new RtspAuth("pub", "s3cret");
        assertThat(auth.authorization("ANNOUNCE", "rtsp://h/p")).isNull();
        assertThat(auth.accept(List.of("Basic realm=\"mediamtx\""))).isTrue();
        assertThat(auth.authorization("ANNOUNCE", "rtsp://h/p"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("pub:s3cret".getBytes()));
        assertThat(auth.accept(List.of("Basic realm=\"mediamtx\""))).as("refused again: give up").isFalse();
    }

    @Test
    void digestIsPreferredAndMatchesRfc2617() {
        RtspAuth auth = new RtspAuth("pub", "s3cret");
        assertThat(auth.accept(List.of("Basic realm=\"r\"", "Digest realm=\"r\", nonce=\"abc\""))).isTrue();
        String header = auth.authorization("SETUP", "rtsp://h/p/trackID=0");
        Map<String, String> p = RtspAuth.params(header.substring("Digest ".length()));
        String ha1 = RtspAuth.md5("pub:r:s3cret");
        String ha2 = RtspAuth.md5("SETUP:rtsp://h/p/trackID=0");
        assertThat(p).containsEntry("username", "pub").containsEntry("realm", "r").containsEntry("nonce", "abc")
                .containsEntry("uri", "rtsp://h/p/trackID=0")
                .containsEntry("response", RtspAuth.md5(ha1 + ":abc:" + ha2));
        assertThat(RtspAuth.md5("")).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
    }

    @Test
    void digestWithQopAuth() {
        RtspAuth auth = new RtspAuth("u", "p");
        auth.accept(List.of("Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\", opaque=\"o\""));
        Map<String, String> p = RtspAuth.params(auth.authorization("RECORD", "rtsp://h/x").substring(7));
        String expected = RtspAuth.md5(RtspAuth.md5("u:r:p") + ":n:" + p.get("nc") + ":" + p.get("cnonce")
                + ":auth:" + RtspAuth.md5("RECORD:rtsp://h/x"));
        assertThat(p).containsEntry("qop", "auth").containsEntry("nc", "00000001").containsEntry("opaque", "o")
                .containsEntry("response", expected);
    }

    @Test
    void withoutCredentialsAChallengeCannotBeAnswered() {
        assertThat(new RtspAuth("", "").accept(List.of("Basic realm=\"mediamtx\""))).isFalse();
    }
}
