package io.flux.media.testing.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecordingsPlaybackTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private MediaMtxStandIn mtx;
    private Http api;
    private Http playback;

    @BeforeEach
    void start() throws Exception {
        mtx = MediaMtxStandIn.start();
        api = new Http(mtx.apiUrl());
        playback = new Http(mtx.playbackUrl());
        api.send("POST", "/v3/config/paths/add/live/cam", "{\"record\":true}");
    }

    @AfterEach
    void stop() {
        mtx.close();
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void recordingsListAndGetShowSegments() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofHours(1));
        mtx.addRecording("live/cam", T0.plus(Duration.ofHours(1)), Duration.ofMinutes(30));
        api.send("POST", "/v3/config/paths/add/other", "{}");
        mtx.addRecording("other", T0.plusMillis(250), Duration.ofMinutes(1));

        Map<String, Object> list = Http.map(api.get("/v3/recordings/list"));
        assertThat(list).containsEntry("itemCount", 2).containsEntry("pageCount", 1);
        assertThat(list.get("items")).isEqualTo(List.of(
                Map.of("name", "live/cam", "segments", List.of(Map.of("start", "2025-03-01T10:00:00Z"),
                        Map.of("start", "2025-03-01T11:00:00Z"))),
                Map.of("name", "other", "segments", List.of(Map.of("start", "2025-03-01T10:00:00.25Z")))));

        HttpResponse<String> get = api.get("/v3/recordings/get/live/cam");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(Http.map(get)).containsEntry("name", "live/cam");

        Map<String, Object> paged = Http.map(api.get("/v3/recordings/list?itemsPerPage=1&page=1"));
        assertThat(paged).containsEntry("itemCount", 2).containsEntry("pageCount", 2);
        assertThat(paged.get("items")).isEqualTo(List.of(Map.of("name", "other",
                "segments", List.of(Map.of("start", "2025-03-01T10:00:00.25Z")))));
    }

    @Test
    void recordingsGetWithNothingIs400() throws Exception {
        HttpResponse<String> none = api.get("/v3/recordings/get/live/cam");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).isEqualTo("{\"status\":\"error\",\"error\":\"no recording segments found\"}");

        HttpResponse<String> unconfigured = api.get("/v3/recordings/get/nope");
        assertThat(unconfigured.statusCode()).isEqualTo(400);
        assertThat(Http.map(unconfigured)).containsEntry("error", "path 'nope' is not configured");
    }

    @Test
    void recordingsOfAnUnconfiguredPathAreInvisible() throws Exception {
        mtx.addRecording("gone", T0, Duration.ofMinutes(5));

        assertThat(Http.map(api.get("/v3/recordings/list"))).containsEntry("itemCount", 0);
        assertThat(mtx.recordings("gone")).containsEntry(T0, Duration.ofMinutes(5));
    }

    @Test
    void deleteSegmentRemovesExactlyThatSegment() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofHours(1));
        mtx.addRecording("live/cam", T0.plus(Duration.ofHours(1)), Duration.ofHours(1));

        HttpResponse<String> r = api.send("DELETE",
                "/v3/recordings/deletesegment?path=" + q("live/cam") + "&start=" + q("2025-03-01T11:00:00Z"), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(mtx.recordings("live/cam")).containsOnlyKeys(T0);
        // The same instant in another offset names the same segment.
        assertThat(api.send("DELETE", "/v3/recordings/deletesegment?path=live/cam&start="
                + q("2025-03-01T12:00:00+02:00"), null).statusCode()).isEqualTo(200);
        assertThat(mtx.recordings("live/cam")).isEmpty();
    }

    @Test
    void deleteSegmentWithNothingThereIs400() throws Exception {
        HttpResponse<String> missing = api.send("DELETE",
                "/v3/recordings/deletesegment?path=live/cam&start=" + q("2025-03-01T10:00:00Z"), null);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(Http.map(missing)).containsEntry("error",
                "remove ./recordings/live/cam/2025-03-01_10-00-00-000000.mp4: no such file or directory");

        HttpResponse<String> badStart = api.send("DELETE", "/v3/recordings/deletesegment?path=live/cam&start=x", null);
        assertThat(badStart.statusCode()).isEqualTo(400);

        HttpResponse<String> unconfigured = api.send("DELETE",
                "/v3/recordings/deletesegment?path=nope&start=" + q("2025-03-01T10:00:00Z"), null);
        assertThat(unconfigured.statusCode()).isEqualTo(400);
    }

    @Test
    void playbackListMergesContiguousSegmentsAndGivesGetUrls() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofMinutes(60));
        mtx.addRecording("live/cam", T0.plus(Duration.ofMinutes(60)), Duration.ofMillis(1500));
        mtx.addRecording("live/cam", T0.plus(Duration.ofHours(3)), Duration.ofMinutes(10));

        HttpResponse<String> r = playback.get("/list?path=live/cam");

        assertThat(r.statusCode()).isEqualTo(200);
        List<Map<String, Object>> spans = Http.list(r);
        assertThat(spans).hasSize(2);
        assertThat(spans.get(0)).containsEntry("start", "2025-03-01T10:00:00Z").containsEntry("duration", 3601.5);
        assertThat(spans.get(1)).containsEntry("start", "2025-03-01T13:00:00Z").containsEntry("duration", 600);
        assertThat(spans.get(1).get("url")).isEqualTo(mtx.playbackUrl()
                + "/get?duration=600&path=live%2Fcam&start=2025-03-01T13%3A00%3A00Z");
        assertThat(r.body()).contains("\"duration\":600,");
    }

    @Test
    void playbackListFiltersAndTrimsToTheWindow() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofHours(1));
        mtx.addRecording("live/cam", T0.plus(Duration.ofHours(5)), Duration.ofHours(1));

        List<Map<String, Object>> spans = Http.list(playback.get("/list?path=live/cam&start="
                + q("2025-03-01T10:30:00Z") + "&end=" + q("2025-03-01T12:00:00Z")));

        assertThat(spans).hasSize(1);
        assertThat(spans.get(0)).containsEntry("start", "2025-03-01T10:30:00Z").containsEntry("duration", 1800);
    }

    @Test
    void playbackListWithNothingIs404() throws Exception {
        HttpResponse<String> r = playback.get("/list?path=live/cam");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"status\":\"error\",\"error\":\"no recordings found\"}");
        assertThat(playback.get("/list?path=live/cam&start=yesterday").statusCode()).isEqualTo(400);
    }

    @Test
    void playbackGetAnswersAnMp4ForRecordedTime() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofMinutes(10));

        HttpResponse<byte[]> r = playback.getBytes("/get?path=live/cam&start=" + q("2025-03-01T10:01:00Z")
                + "&duration=60.5&format=mp4");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("none");
        ByteBuffer body = ByteBuffer.wrap(r.body());
        assertThat(body.getInt(0)).isEqualTo(24);
        assertThat(new String(r.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(new String(r.body(), 28, 4, StandardCharsets.US_ASCII)).isEqualTo("moov");
        assertThat(new String(r.body(), 36, 4, StandardCharsets.US_ASCII)).isEqualTo("mvhd");
        assertThat(body.getInt(36 + 16)).isEqualTo(1000); // timescale
        assertThat(body.getInt(36 + 20)).isEqualTo(60500); // served duration in ms
        assertThat(r.body()).hasSize(24 + 8 + 108);
    }

    @Test
    void playbackGetFollowsTheListUrl() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofMinutes(10));
        String url = (String) Http.list(playback.get("/list?path=live/cam")).get(0).get("url");

        HttpResponse<byte[]> r = new Http("").getBytes(URI.create(url).toString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ByteBuffer.wrap(r.body()).getInt(36 + 20)).isEqualTo(600_000);
    }

    @Test
    void playbackGetErrors() throws Exception {
        mtx.addRecording("live/cam", T0, Duration.ofMinutes(10));

        HttpResponse<String> before = playback.get("/get?path=live/cam&start=" + q("2025-03-01T09:00:00Z")
                + "&duration=60");
        assertThat(before.statusCode()).isEqualTo(404);
        assertThat(Http.map(before)).containsEntry("error", "no recordings found");

        assertThat(playback.get("/get?path=live/cam&start=" + q("2025-03-01T10:00:00Z") + "&duration=1m30s")
                .statusCode()).isEqualTo(200);
        assertThat(playback.get("/get?path=live/cam&start=" + q("2025-03-01T10:00:00Z") + "&duration=abc")
                .statusCode()).isEqualTo(400);
        assertThat(playback.get("/get?path=live/cam&start=" + q("2025-03-01T10:00:00Z") + "&duration=5&format=avi")
                .statusCode()).isEqualTo(400);
        assertThat(playback.get("/get?path=live/cam&start=noon&duration=5").statusCode()).isEqualTo(400);
        assertThat(playback.get("/get?path=nope&start=" + q("2025-03-01T10:00:00Z") + "&duration=5").statusCode())
                .isEqualTo(400);
    }
}
