package io.flux.media.mediamtx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;

/** The JSON mapping against literal MediaMTX answers, including the spellings older and newer versions use. */
class MediaMtxJsonTest {

    private static JsonNode json(String text) throws Exception {
        return MediaMtxJson.MAPPER.readTree(text);
    }

    @Test
    void readsTheOlderReadySpellingAlone() throws Exception {
        PathState state = MediaMtxJson.pathState(json("""
                {"name":"live/cam","confName":"live/cam","source":{"type":"rtspSession","id":"x"},
                 "ready":true,"readyTime":"2024-05-01T10:00:00.5+02:00","tracks":["H264","MPEG-4 Audio"],
                 "bytesReceived":1234,"bytesSent":99,"readers":[{"type":"hlsMuxer","id":""}]}
                """));

        assertThat(state).isEqualTo(new PathState("live/cam", true, Instant.parse("2024-05-01T08:00:00.5Z"),
                "rtspSession", java.util.List.of("H264", "MPEG-4 Audio"), 1234, 99, 1));
    }

    @Test
    void readsTheNewerOnlineSpellingAlone() throws Exception {
        PathState state = MediaMtxJson.pathState(json("""
                {"name":"cam","source":{"type":"rtmpConn","id":"y"},"online":true,
                 "onlineTime":"2024-05-01T08:00:00.123456789Z","tracks2":[{"codec":"H265","codecProps":null}],
                 "inboundBytes":10,"outboundBytes":20,"readers":[]}
                """));

        assertThat(state.online()).isTrue();
        assertThat(state.online_time()).isEqualTo(Instant.parse("2024-05-01T08:00:00.123456789Z"));
        assertThat(state.tracks()).containsExactly("H265");
        assertThat(state.source_type()).isEqualTo("rtmpConn");
        assertThat(state.bytes_received()).isEqualTo(10);
        assertThat(state.bytes_sent()).isEqualTo(20);
        assertThat(state.readers()).isZero();
    }

    @Test
    void prefersOnlineOverReadyAndAvailableWhenBothAreThere() throws Exception {
        PathState state = MediaMtxJson.pathState(json("""
                {"name":"cam","online":false,"available":true,"ready":true,"onlineTime":null,
                 "availableTime":"2024-05-01T08:00:00Z","readyTime":"2024-05-01T08:00:00Z","source":null,
                 "tracks2":[],"tracks":["H264"]}
                """));

        assertThat(state.online()).isFalse();
        // onlineTime is null, so the next spelling that has a time wins.
        assertThat(state.online_time()).isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
        assertThat(state.source_type()).isNull();
        assertThat(state.tracks()).isEmpty();
    }

    @Test
    void readsAvailableWhenOnlineIsMissing() throws Exception {
        PathState state = MediaMtxJson.pathState(json("""
                {"name":"cam","available":true,"availableTime":"2024-05-01T08:00:00Z"}
                """));

        assertThat(state.online()).isTrue();
        assertThat(state.online_time()).isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
    }

    @Test
    void offlinePathHasNoTimeNoSourceAndZeroCounters() throws Exception {
        PathState state = MediaMtxJson.pathState(json("""
                {"name":"cam","online":false,"onlineTime":null,"ready":false,"readyTime":null,"source":null,
                 "tracks2":[],"tracks":[],"readers":[]}
                """));

        assertThat(state).isEqualTo(new PathState("cam", false, null, null, java.util.List.of(), 0, 0, 0));
    }

    @Test
    void pathConfigBodyCarriesOnlyTheFieldsThatAreSet() throws Exception {
        JsonNode body = MediaMtxJson.MAPPER.readTree(MediaMtxJson.pathConfigBody(
                new PathConfig("ignored", "rtsp://cam/1", true, null, null, "mpegts", null, "0s")));

        assertThat(body.toString()).isEqualTo(
                "{\"source\":\"rtsp://cam/1\",\"sourceOnDemand\":true,\"recordFormat\":\"mpegts\","
                        + "\"recordDeleteAfter\":\"0s\"}");
        assertThat(new String(MediaMtxJson.pathConfigBody(null))).isEqualTo("{}");
    }

    @Test
    void readsPagesAndRecordingsAndErrors() throws Exception {
        Page<PathConfig> page = MediaMtxJson.page(json("""
                {"itemCount":3,"pageCount":2,"items":[{"name":"a","source":"publisher","record":false,
                 "recordPath":"./r/%path","recordFormat":"fmp4","recordSegmentDuration":"1h0m0s",
                 "recordDeleteAfter":"24h0m0s","sourceOnDemand":false,"unknownNewField":1}]}
                """), MediaMtxJson::pathConfig);

        assertThat(page.item_count()).isEqualTo(3);
        assertThat(page.page_count()).isEqualTo(2);
        assertThat(page.items()).containsExactly(new PathConfig("a", "publisher", false, false, "./r/%path", "fmp4",
                "1h0m0s", "24h0m0s"));

        assertThat(MediaMtxJson.recordingStarts(json("""
                {"name":"a","segments":[{"start":"2024-05-01T09:00:00Z"},{"start":"2024-05-01T08:00:00Z"}]}
                """))).containsExactly(Instant.parse("2024-05-01T08:00:00Z"), Instant.parse("2024-05-01T09:00:00Z"));

        assertThat(MediaMtxJson.errorText("{\"status\":\"error\",\"error\":\"path already exists\"}"))
                .isEqualTo("path already exists");
        assertThat(MediaMtxJson.errorText("<html>")).isNull();
    }
}
