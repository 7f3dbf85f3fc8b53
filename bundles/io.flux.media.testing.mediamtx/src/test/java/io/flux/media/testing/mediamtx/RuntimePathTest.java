package io.flux.media.testing.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuntimePathTest {

    private MediaMtxStandIn mtx;
    private Http http;

    @BeforeEach
    void start() {
        mtx = MediaMtxStandIn.start();
        http = new Http(mtx.apiUrl());
    }

    @AfterEach
    void stop() {
        mtx.close();
    }

    @Test
    void configuredPathIsThereButOffline() throws Exception {
        http.send("POST", "/v3/config/paths/add/live/x-1a2b3c4d", "{}");

        HttpResponse<String> r = http.get("/v3/paths/get/live/x-1a2b3c4d");

        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> path = Http.map(r);
        assertThat(path).containsEntry("name", "live/x-1a2b3c4d").containsEntry("confName", "live/x-1a2b3c4d")
                .containsEntry("source", null)
                .containsEntry("online", false).containsEntry("onlineTime", null)
                .containsEntry("available", false).containsEntry("availableTime", null)
                .containsEntry("ready", false).containsEntry("readyTime", null)
                .containsEntry("tracks", List.of()).containsEntry("tracks2", List.of())
                .containsEntry("bytesReceived", 0).containsEntry("bytesSent", 0)
                .containsEntry("inboundBytes", 0).containsEntry("outboundBytes", 0)
                .containsEntry("readers", List.of());
    }

    @Test
    void unknownPathIs404() throws Exception {
        HttpResponse<String> r = http.get("/v3/paths/get/nope");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"status\":\"error\",\"error\":\"path not found\"}");
        assertThat(http.get("/v3/paths/get/bad%20name").statusCode()).isEqualTo(400);
    }

    @Test
    void publishedPathIsOnlineInBothSpellings() throws Exception {
        http.send("POST", "/v3/config/paths/add/live/cam", "{}");
        Instant before = Instant.now();

        mtx.publish("live/cam", "H264", "MPEG-4 Audio");
        mtx.traffic("live/cam", 1234, 567);
        String readerId = mtx.addReader("live/cam", "hlsMuxer");

        Map<String, Object> path = Http.map(http.get("/v3/paths/get/live/cam"));
        assertThat(path).containsEntry("online", true).containsEntry("available", true).containsEntry("ready", true)
                .containsEntry("tracks", List.of("H264", "MPEG-4 Audio"))
                .containsEntry("bytesReceived", 1234).containsEntry("bytesSent", 567)
                .containsEntry("inboundBytes", 1234).containsEntry("outboundBytes", 567)
                .containsEntry("readers", List.of(Map.of("type", "hlsMuxer", "id", readerId)));
        Instant onlineTime = Instant.parse((String) path.get("onlineTime"));
        assertThat(onlineTime).isAfterOrEqualTo(before.minusMillis(1));
        assertThat(path.get("readyTime")).isEqualTo(path.get("onlineTime"));
        assertThat(path.get("availableTime")).isEqualTo(path.get("onlineTime"));
        @SuppressWarnings("unchecked")
        Map<String, Object> source = (Map<String, Object>) path.get("source");
        assertThat(source).containsEntry("type", "rtspSession");
        assertThat((String) source.get("id")).isNotEmpty();
        assertThat(path.get("tracks2")).isEqualTo(List.of(track("H264"), track("MPEG-4 Audio")));

        mtx.unpublish("live/cam");
        Map<String, Object> after = Http.map(http.get("/v3/paths/get/live/cam"));
        assertThat(after).containsEntry("online", false).containsEntry("source", null)
                .containsEntry("readers", List.of());
    }

    private static Map<String, Object> track(String codec) {
        Map<String, Object> t = new java.util.LinkedHashMap<>();
        t.put("codec", codec);
        t.put("codecProps", null);
        return t;
    }

    @Test
    void pullPathStaysOfflineUntilTheUpstreamIsSimulated() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{\"source\":\"rtsp://192.0.2.1:554/live\"}");

        Map<String, Object> offline = Http.map(http.get("/v3/paths/get/cam"));
        assertThat(offline).containsEntry("online", false).containsEntry("ready", false)
                .containsEntry("source", Map.of("type", "rtspSource", "id", ""));

        mtx.publish("cam");
        Map<String, Object> online = Http.map(http.get("/v3/paths/get/cam"));
        assertThat(online).containsEntry("online", true).containsEntry("tracks", List.of("H264"))
                .containsEntry("source", Map.of("type", "rtspSource", "id", ""));
    }

    @Test
    void publishAsUsesTheGivenSourceType() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{}");

        mtx.publishAs("cam", "rtmpConn", "H265");

        Map<String, Object> path = Http.map(http.get("/v3/paths/get/cam"));
        assertThat(path).containsEntry("tracks", List.of("H265"));
        assertThat(path.get("source")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("type", "rtmpConn");
    }

    @Test
    void publishingAnUnconfiguredPathIsRefused() {
        assertThatThrownBy(() -> mtx.publish("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path 'nope' is not configured");
    }

    @Test
    void deletingOrChangingTheSourceDropsThePublisher() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{}");
        mtx.publish("cam");
        http.send("PATCH", "/v3/config/paths/patch/cam", "{\"record\":true}");
        assertThat(Http.map(http.get("/v3/paths/get/cam"))).containsEntry("online", true);

        http.send("PATCH", "/v3/config/paths/patch/cam", "{\"source\":\"rtmp://h/app/s\"}");
        assertThat(Http.map(http.get("/v3/paths/get/cam"))).containsEntry("online", false)
                .containsEntry("source", Map.of("type", "rtmpSource", "id", ""));

        http.send("DELETE", "/v3/config/paths/delete/cam", null);
        assertThat(http.get("/v3/paths/get/cam").statusCode()).isEqualTo(404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listPaginates() throws Exception {
        for (String name : List.of("c", "a", "b")) {
            http.send("POST", "/v3/config/paths/add/" + name, "{}");
        }
        mtx.publish("b");

        Map<String, Object> page = Http.map(http.get("/v3/paths/list?itemsPerPage=2&page=0"));

        assertThat(page).containsEntry("itemCount", 3).containsEntry("pageCount", 2);
        List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
        assertThat(items).extracting(m -> m.get("name")).containsExactly("a", "b");
        assertThat(items).extracting(m -> m.get("online")).containsExactly(false, true);
        assertThat(http.get("/v3/paths/list?itemsPerPage=-2").statusCode()).isEqualTo(400);
    }
}
