package io.flux.media.storage.s3.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void pathStyleKeepsTheBucketInThePath() {
        S3Client.Endpoint e = new S3Client.Endpoint(URI.create("http://127.0.0.1:18333"), "us-east-1", "rec", true);
        assertThat(e.host()).isEqualTo("127.0.0.1:18333");
        assertThat(e.path("a b/c.mp4")).isEqualTo("/rec/a%20b/c.mp4");
        assertThat(e.path(null)).isEqualTo("/rec");
    }

    @Test
    void virtualHostStyleMovesTheBucketIntoTheHostAndDropsDefaultPorts() {
        S3Client.Endpoint e = new S3Client.Endpoint(URI.create("https://s3.eu-west-1.amazonaws.com:443"),
                "eu-west-1", "rec", false);
        assertThat(e.host()).isEqualTo("rec.s3.eu-west-1.amazonaws.com");
        assertThat(e.path("k")).isEqualTo("/k");
        assertThat(e.path(null)).isEqualTo("/");
        assertThat(new S3Client.Endpoint(URI.create("http://minio:80/"), "r", "b", true).host()).isEqualTo("minio");
    }

    @Test
    void refusesEndpointsThatAreNotABaseUrl() {
        assertThatThrownBy(() -> new S3Client.Endpoint(URI.create("ftp://host"), "r", "b", true))
                .hasMessageContaining("http(s)://host");
        assertThatThrownBy(() -> new S3Client.Endpoint(URI.create("http://host/path"), "r", "b", true))
                .hasMessageContaining("path");
        assertThatThrownBy(() -> new S3Client.Endpoint(URI.create("http://host"), "r", "", true))
                .hasMessageContaining("bucket");
    }

    @Test
    void normalizesAndValidatesThePrefix() {
        assertThat(S3Store.normalizePrefix("")).isEmpty();
        assertThat(S3Store.normalizePrefix("/flux/rec/")).isEqualTo("flux/rec/");
        assertThatThrownBy(() -> S3Store.normalizePrefix("a/../b")).isInstanceOf(IllegalArgumentException.class);
    }
}
