package io.flux.media.mediamtx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.flux.media.testing.Configs;

class MediaMtxSettingsTest {

    private static MediaMtxSettings settings(Map<String, Object> overrides) {
        return MediaMtxSettings.from(Configs.of(MediaMtxServer.Config.class, overrides));
    }

    @Test
    void defaultsAreValid() {
        MediaMtxSettings settings = settings(Map.of());

        assertThat(settings.apiAddress()).hasToString("http://127.0.0.1:9997");
        assertThat(settings.rtspAddress()).isEqualTo("rtsp://127.0.0.1:8554");
        assertThat(settings.srtAddress()).isEqualTo("srt://127.0.0.1:8890");
        assertThat(settings.recordFormat()).isEqualTo("fmp4");
        assertThat(settings.authenticates()).isFalse();
        assertThat(settings.requestTimeout().toMillis()).isEqualTo(5000);
    }

    @Test
    void trailingSlashesAreDroppedAndEmptyOptionalAddressesAreNull() {
        MediaMtxSettings settings = settings(Map.of("api_address", "http://mtx:9997/", "hls_address", "",
                "srt_address", " "));

        assertThat(settings.apiAddress()).hasToString("http://mtx:9997");
        assertThat(settings.hlsAddress()).isNull();
        assertThat(settings.srtAddress()).isNull();
    }

    @Test
    void refusesBadAddressesNamingEachKey() {
        Map<String, Object> bad = new HashMap<>();
        bad.put("api_address", "ftp://mtx:21");
        bad.put("rtsp_address", "http://mtx:8554");
        bad.put("rtmp_address", "not a url");
        bad.put("hls_address", "http://");
        bad.put("srt_address", "udp://mtx:8890");

        assertThatThrownBy(() -> settings(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("api.address 'ftp://mtx:21' must start with http:// or https://")
                .hasMessageContaining("rtsp.address")
                .hasMessageContaining("rtmp.address")
                .hasMessageContaining("hls.address")
                .hasMessageContaining("srt.address 'udp://mtx:8890' must start with srt://");
    }

    @Test
    void refusesAnEmptyApiAddressAndCredentialsInAddresses() {
        assertThatThrownBy(() -> settings(Map.of("api_address", "")))
                .hasMessageContaining("api.address is empty");
        assertThatThrownBy(() -> settings(Map.of("api_address", "http://admin:secret@mtx:9997")))
                .hasMessageContaining("api.address must not contain credentials")
                .hasMessageNotContaining("secret");
    }

    @Test
    void refusesBadRecordingValuesAndTimeouts() {
        assertThatThrownBy(() -> settings(Map.of("record_format", "mkv")))
                .hasMessageContaining("record.format 'mkv' is not fmp4 or mpegts");
        assertThatThrownBy(() -> settings(Map.of("record_path", "./recordings/%Y")))
                .hasMessageContaining("must contain %path");
        assertThatThrownBy(() -> settings(Map.of("segment_duration", "an hour")))
                .hasMessageContaining("segment.duration 'an hour'");
        assertThatThrownBy(() -> settings(Map.of("request_timeout_ms", 0)))
                .hasMessageContaining("request.timeout.ms must be at least 1");
        assertThatThrownBy(() -> settings(Map.of("connect_timeout_ms", -5)))
                .hasMessageContaining("connect.timeout.ms must be at least 1");
        assertThat(settings(Map.of("segment_duration", "1h30m", "record_format", "MPEGTS")).recordFormat())
                .isEqualTo("mpegts");
    }

    @Test
    void toStringNeverShowsThePassword() {
        MediaMtxSettings settings = settings(Map.of("api_user", "flux", "_api_password", "s3cr3t-pw"));

        assertThat(settings.authenticates()).isTrue();
        assertThat(settings.toString()).contains("flux").doesNotContain("s3cr3t-pw");
    }
}
