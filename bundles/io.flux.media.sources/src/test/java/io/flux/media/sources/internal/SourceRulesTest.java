package io.flux.media.sources.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.flux.media.api.rest.ApiException;

class SourceRulesTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static SourceRequest pull(String url) {
        return new SourceRequest("cam", "pull", url, null, null, null);
    }

    @ParameterizedTest
    @CsvSource({
        "rtsp://10.0.0.5:554/stream1, rtsp",
        "rtsps://cam.local/x, rtsp",
        "RTSP://cam.local/x, rtsp",
        "rtmp://live.example/app/key, rtmp",
        "rtmps://live.example/app/key, rtmp",
        "http://cdn.example/live/index.m3u8, hls",
        "https://cdn.example/live/INDEX.M3U8?token=1, hls",
        "srt://10.0.0.9:8890?streamid=read:cam, srt",
        "whep://peer.example/cam/whep, webrtc",
        "wheps://peer.example/cam/whep, webrtc"})
    void infersTheProtocolFromTheScheme(String url, String protocol) {
        assertThat(Protocols.infer(URI.create(url))).isEqualTo(protocol);
        assertThat(SourceRules.forCreate(pull(url), NOW).protocol()).isEqualTo(protocol);
    }

    @Test
    void httpThatIsNoPlaylistNeedsProtocolHls() {
        assertThat(Protocols.infer(URI.create("https://cdn.example/live/stream"))).isNull();
        assertBad(() -> SourceRules.forCreate(pull("https://cdn.example/live/stream"), NOW), Map.of("url",
                "http(s) URLs must point to an HLS playlist (.m3u8), or give protocol hls"));
        assertThat(SourceRules.forCreate(new SourceRequest("cam", "pull", "https://cdn.example/live/stream", "hls",
                null, null), NOW).protocol()).isEqualTo("hls");
    }

    @Test
    void aGivenProtocolMustAgreeWithTheScheme() {
        assertBad(() -> SourceRules.forCreate(new SourceRequest("cam", "pull", "rtsp://cam/x", "rtmp", null, null),
                NOW), Map.of("protocol", "is rtmp but the URL scheme 'rtsp' means rtsp"));
        assertThat(SourceRules.forCreate(new SourceRequest("cam", "pull", "rtsp://cam/x", "RTSP", null, null), NOW)
                .protocol()).isEqualTo("rtsp");
    }

    @Test
    void createFillsDefaultsAndAFreshPathName() {
        SourceRow r = SourceRules.forCreate(pull("rtsp://cam/x"), NOW);
        assertThat(r.enabled()).isTrue();
        assertThat(r.recordEnabled()).isFalse();
        assertThat(r.pathName()).matches("live/cam-[0-9a-f]{8}");
        assertThat(r.id()).hasSize(36);
        assertThat(r.createdAt()).isEqualTo(NOW);
        SourceRow push = SourceRules.forCreate(new SourceRequest("  Door  ", "push", null, null, false, true), NOW);
        assertThat(push.protocol()).isEqualTo("rtmp");
        assertThat(push.name()).isEqualTo("Door");
        assertThat(push.enabled()).isFalse();
        assertThat(push.recordEnabled()).isTrue();
        assertThat(push.url()).isNull();
    }

    @Test
    void everyBadFieldIsNamedInOneAnswer() {
        ApiException e = bad(() -> SourceRules.forCreate(new SourceRequest(" ", "relay", null, "mp4", null, null),
                NOW));
        assertThat(e.details()).containsOnlyKeys("name", "type", "protocol");
        assertThat(e.getMessage()).contains("name").contains("type").contains("protocol");

        e = bad(() -> SourceRules.forCreate(new SourceRequest(null, "pull", null, null, null, null), NOW));
        assertThat(e.details()).containsEntry("name", "is required").containsEntry("url",
                "is required for pull sources");
    }

    @Test
    void refusesUrlsMediaMtxCannotPull() {
        assertThat(bad(() -> SourceRules.forCreate(pull("ftp://cam/x"), NOW)).details().get("url").toString())
                .contains("unsupported scheme 'ftp'");
        assertThat(bad(() -> SourceRules.forCreate(pull("rtsp://cam/a b"), NOW)).details().get("url").toString())
                .contains("spaces");
        assertThat(bad(() -> SourceRules.forCreate(pull("cam.local/stream"), NOW)).details().get("url").toString())
                .contains("absolute URL");
        assertThat(bad(() -> SourceRules.forCreate(pull("rtsp://cam/" + "x".repeat(2100)), NOW)).details()
                .get("url").toString()).contains("2048");
        assertThat(bad(() -> SourceRules.forCreate(pull("rtsp://[::1"), NOW)).details()).containsKey("url");
    }

    @Test
    void pushSourcesTakeNoUrlAndAPublishableProtocol() {
        assertBad(() -> SourceRules.forCreate(new SourceRequest("d", "push", "rtmp://x/y", null, null, null), NOW),
                Map.of("url", "must be left out for push sources (they publish to push_url)"));
        assertThat(bad(() -> SourceRules.forCreate(new SourceRequest("d", "push", null, "hls", null, null), NOW))
                .details()).containsKey("protocol");
        assertThat(SourceRules.forCreate(new SourceRequest("d", "push", null, "srt", null, null), NOW).protocol())
                .isEqualTo("srt");
    }

    @Test
    void updateKeepsWhatIsLeftOutAndReInfersTheProtocolOfANewUrl() {
        SourceRow cur = SourceRules.forCreate(pull("rtsp://cam/x"), NOW);
        SourceRow next = SourceRules.forUpdate(cur, new SourceRequest(null, null, "srt://cam:9000", null, null, true),
                NOW.plusSeconds(1));
        assertThat(next.protocol()).isEqualTo("srt");
        assertThat(next.name()).isEqualTo("cam");
        assertThat(next.pathName()).isEqualTo(cur.pathName());
        assertThat(next.recordEnabled()).isTrue();
        assertThat(next.updatedAt()).isEqualTo(NOW.plusSeconds(1));
        assertThat(SourceRules.forUpdate(cur, new SourceRequest("Renamed", null, null, null, null, null), NOW)
                .pathName()).as("renaming keeps the path, so URLs stay valid").isEqualTo(cur.pathName());
        assertBad(() -> SourceRules.forUpdate(cur, new SourceRequest(null, "push", null, null, null, null), NOW),
                Map.of("type", "cannot be changed from pull (create a new source instead)"));
    }

    @Test
    void updateWithTheMaskedUrlItReadKeepsThePassword() {
        SourceRow cur = SourceRules.forCreate(pull("rtsp://admin:s3cret@cam/x"), NOW);
        assertThat(Urls.redact(cur.url())).isEqualTo("rtsp://admin:***@cam/x");
        SourceRow next = SourceRules.forUpdate(cur, new SourceRequest(null, null, "rtsp://admin:***@cam/x", null,
                null, null), NOW);
        assertThat(next.url()).isEqualTo("rtsp://admin:s3cret@cam/x");
    }

    @Test
    void redactsOnlyThePassword() {
        assertThat(Urls.redact("rtsp://cam/x")).isEqualTo("rtsp://cam/x");
        assertThat(Urls.redact("rtsp://user@cam/x")).isEqualTo("rtsp://user@cam/x");
        assertThat(Urls.redact("srt://h:1?passphrase=abc")).isEqualTo("srt://h:1?passphrase=abc");
        assertThat(Urls.redact(null)).isNull();
    }

    static ApiException bad(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("bad_request");
            return e;
        }
        throw new AssertionError("expected a 400");
    }

    static void assertBad(Runnable r, Map<String, Object> details) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.details()).isEqualTo(details);
        });
    }
}
