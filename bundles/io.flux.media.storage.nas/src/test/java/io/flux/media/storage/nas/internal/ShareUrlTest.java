package io.flux.media.storage.nas.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ShareUrlTest {

    @Test
    void parsesHostPortShareAndBase() {
        ShareUrl u = ShareUrl.parse("smb://nas.local:14445/media/flux/recordings/");
        assertThat(u.host()).isEqualTo("nas.local");
        assertThat(u.port()).isEqualTo(14445);
        assertThat(u.share()).isEqualTo("media");
        assertThat(u.baseDir()).containsExactly("flux", "recordings");
        assertThat(u.path("a/b.mp4")).isEqualTo("flux\\recordings\\a\\b.mp4");
        assertThat(u.basePath()).isEqualTo("flux\\recordings");
        assertThat(u).hasToString("smb://nas.local:14445/media/flux/recordings");
    }

    @Test
    void defaultsToPort445AndTheShareRoot() {
        ShareUrl u = ShareUrl.parse("SMB://10.0.0.5/share");
        assertThat(u.port()).isEqualTo(445);
        assertThat(u.baseDir()).isEqualTo(List.of());
        assertThat(u.path("x")).isEqualTo("x");
        assertThat(u.basePath()).isEmpty();
        assertThat(u).hasToString("smb://10.0.0.5/share");
    }

    @Test
    void acceptsIpv6Literals() {
        ShareUrl u = ShareUrl.parse("smb://[::1]:1445/s");
        assertThat(u.host()).isEqualTo("::1");
        assertThat(u).hasToString("smb://[::1]:1445/s");
    }

    @Test
    void refusesBadUrls() {
        assertThatThrownBy(() -> ShareUrl.parse("")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> ShareUrl.parse("http://h/s")).hasMessageContaining("smb://");
        assertThatThrownBy(() -> ShareUrl.parse("smb://h")).hasMessageContaining("names no share");
        assertThatThrownBy(() -> ShareUrl.parse("smb://h/")).hasMessageContaining("names no share");
        assertThatThrownBy(() -> ShareUrl.parse("smb:///s")).hasMessageContaining("no host");
        assertThatThrownBy(() -> ShareUrl.parse("smb://h/s/../x")).hasMessageContaining("'..'");
        assertThatThrownBy(() -> ShareUrl.parse("smb://h/s?x=1")).hasMessageContaining("query");
        assertThatThrownBy(() -> ShareUrl.parse("smb://h:99999/s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesCredentialsWithoutEchoingThem() {
        assertThatThrownBy(() -> ShareUrl.parse("smb://bob:s3cret@h/s"))
                .hasMessageContaining("must not carry credentials")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void credentialsNeverPrintThePassword() {
        var c = new ShareConnector.Credentials("WG", "bob", "s3cret");
        assertThat(c.toString()).isEqualTo("WG\\bob").doesNotContain("s3cret");
    }

    @Test
    void backoffBoundsAreChecked() {
        assertThatThrownBy(() -> new ShareConnector.Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShareConnector.Backoff(10, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
