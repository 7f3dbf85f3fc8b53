package io.flux.media.testing.mediamtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathConfigApiTest {

    private static final String OK = "{\"status\":\"ok\"}";

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

    private static String error(String message) {
        return "{\"status\":\"error\",\"error\":" + Http.json(message) + "}";
    }

    @Test
    void infoReportsVersionAndStartTime() throws Exception {
        HttpResponse<String> r = http.get("/v3/info");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        Map<String, Object> info = Http.map(r);
        assertThat(info).containsEntry("version", "v1.20.1");
        assertThat(Instant.parse((String) info.get("started"))).isEqualTo(mtx.started());
    }

    @Test
    void addThenGetAnswersTheFullConfigWithDefaults() throws Exception {
        HttpResponse<String> add = http.send("POST", "/v3/config/paths/add/live/cam-1a2b3c4d", "{}");
        assertThat(add.statusCode()).isEqualTo(200);
        assertThat(add.body()).isEqualTo(OK);

        HttpResponse<String> get = http.get("/v3/config/paths/get/live/cam-1a2b3c4d");
        assertThat(get.statusCode()).isEqualTo(200);
        Map<String, Object> conf = Http.map(get);
        assertThat(conf)
                .containsEntry("name", "live/cam-1a2b3c4d")
                .containsEntry("source", "publisher")
                .containsEntry("sourceOnDemand", false)
                .containsEntry("record", false)
                .containsEntry("recordPath", "./recordings/%path/%Y-%m-%d_%H-%M-%S-%f")
                .containsEntry("recordFormat", "fmp4")
                .containsEntry("recordPartDuration", "1s")
                .containsEntry("recordSegmentDuration", "1h")
                .containsEntry("recordDeleteAfter", "1d")
                .containsEntry("maxReaders", 0)
                .containsEntry("overridePublisher", true)
                .containsEntry("rtspTransport", "automatic");
        assertThat(mtx.pathConfigs()).containsOnlyKeys("live/cam-1a2b3c4d");
        assertThat(mtx.requests()).containsExactly("POST /v3/config/paths/add/live/cam-1a2b3c4d",
                "GET /v3/config/paths/get/live/cam-1a2b3c4d");
    }

    @Test
    void addStoresGivenFieldsForAPullSource() throws Exception {
        String body = "{\"source\":\"rtsp://10.0.0.5:554/stream1\",\"sourceOnDemand\":true,\"record\":true,"
                + "\"recordFormat\":\"mpegts\",\"recordSegmentDuration\":\"10m\",\"recordDeleteAfter\":\"7d\"}";
        assertThat(http.send("POST", "/v3/config/paths/add/cam", body).statusCode()).isEqualTo(200);

        Map<String, Object> conf = mtx.pathConfig("cam");
        assertThat(conf).containsEntry("source", "rtsp://10.0.0.5:554/stream1")
                .containsEntry("sourceOnDemand", true).containsEntry("record", true)
                .containsEntry("recordFormat", "mpegts").containsEntry("recordSegmentDuration", "10m")
                .containsEntry("recordDeleteAfter", "7d").containsEntry("recordPartDuration", "1s");
    }

    @Test
    void duplicateAddIs400PathAlreadyExists() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{}");

        HttpResponse<String> again = http.send("POST", "/v3/config/paths/add/cam", "{\"record\":true}");

        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).isEqualTo(error("path already exists"));
        assertThat(mtx.pathConfig("cam")).containsEntry("record", false);
    }

    @Test
    void unknownFieldIs400AndAddsNothing() throws Exception {
        HttpResponse<String> r = http.send("POST", "/v3/config/paths/add/cam", "{\"record\":true,\"x\":1}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(error("json: unknown field \"x\""));
        assertThat(mtx.pathConfigs()).isEmpty();
    }

    @Test
    void malformedOrEmptyOrMistypedBodiesAre400() throws Exception {
        HttpResponse<String> truncated = http.send("POST", "/v3/config/paths/add/cam", "{\"record\":");
        assertThat(truncated.statusCode()).isEqualTo(400);
        assertThat(truncated.body()).isEqualTo(error("unexpected EOF"));

        HttpResponse<String> garbage = http.send("POST", "/v3/config/paths/add/cam", "nope");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(Http.map(garbage)).containsEntry("status", "error");

        HttpResponse<String> empty = http.send("POST", "/v3/config/paths/add/cam", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).isEqualTo(error("EOF"));

        HttpResponse<String> mistyped = http.send("POST", "/v3/config/paths/add/cam", "{\"record\":\"yes\"}");
        assertThat(mistyped.statusCode()).isEqualTo(400);
        assertThat(mistyped.body()).isEqualTo(
                error("json: cannot unmarshal string into Go struct field Path.record of type bool"));

        HttpResponse<String> array = http.send("POST", "/v3/config/paths/add/cam", "[]");
        assertThat(array.statusCode()).isEqualTo(400);

        assertThat(mtx.pathConfigs()).isEmpty();
    }

    @Test
    void bodyOverTenMebibytesIsRefused() throws Exception {
        String big = "{\"runOnInit\":\"" + "a".repeat(Front.MAX_BODY) + "\"}";

        HttpResponse<String> r = http.send("POST", "/v3/config/paths/add/cam", big);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(error("http: request body too large"));
        assertThat(mtx.pathConfigs()).isEmpty();
    }

    @Test
    void invalidFieldValuesAre400() throws Exception {
        assertThat(http.send("POST", "/v3/config/paths/add/a", "{\"source\":\"ftp://x/y\"}").body())
                .isEqualTo(error("invalid source: 'ftp://x/y'"));
        assertThat(http.send("POST", "/v3/config/paths/add/a", "{\"recordFormat\":\"mkv\"}").body())
                .isEqualTo(error("invalid record format 'mkv'"));
        assertThat(http.send("POST", "/v3/config/paths/add/a", "{\"recordSegmentDuration\":\"soon\"}").body())
                .isEqualTo(error("time: invalid duration \"soon\""));
        assertThat(http.send("POST", "/v3/config/paths/add/a", "{\"sourceOnDemand\":true}").body())
                .isEqualTo(error("'sourceOnDemand' is useless when source is 'publisher'"));
        assertThat(mtx.pathConfigs()).isEmpty();
    }

    @Test
    void patchChangesOnlyGivenFields() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{\"source\":\"rtsp://h/s\",\"recordSegmentDuration\":\"5m\"}");

        HttpResponse<String> r = http.send("PATCH", "/v3/config/paths/patch/cam", "{\"record\":true}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(OK);
        assertThat(mtx.pathConfig("cam")).containsEntry("record", true).containsEntry("source", "rtsp://h/s")
                .containsEntry("recordSegmentDuration", "5m");
    }

    @Test
    void replaceResetsEverythingNotGiven() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{\"source\":\"rtsp://h/s\",\"record\":true}");

        HttpResponse<String> r = http.send("POST", "/v3/config/paths/replace/cam", "{\"recordFormat\":\"mpegts\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(mtx.pathConfig("cam")).containsEntry("source", "publisher").containsEntry("record", false)
                .containsEntry("recordFormat", "mpegts");
    }

    @Test
    void deleteRemovesTheConfig() throws Exception {
        http.send("POST", "/v3/config/paths/add/cam", "{}");

        HttpResponse<String> r = http.send("DELETE", "/v3/config/paths/delete/cam", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(OK);
        assertThat(mtx.pathConfigs()).isEmpty();
        assertThat(http.get("/v3/config/paths/get/cam").statusCode()).isEqualTo(404);
    }

    @Test
    void unknownPathsAnswer404WithTheRealMessages() throws Exception {
        HttpResponse<String> get = http.get("/v3/config/paths/get/nope");
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(get.body()).isEqualTo(error("path configuration not found"));

        for (HttpResponse<String> r : List.of(
                http.send("PATCH", "/v3/config/paths/patch/nope", "{}"),
                http.send("POST", "/v3/config/paths/replace/nope", "{}"),
                http.send("DELETE", "/v3/config/paths/delete/nope", null))) {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo(error("path not found"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"直播/摄像头", "/live", "live/", "live/../x", "live/./x", "..", ".", "live x",
            "live#x", "live?x", "a//b/", "cam~1"})
    void invalidNamesAre400(String name) throws Exception {
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");

        HttpResponse<String> r = http.send("POST", "/v3/config/paths/add/" + encoded, "{}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo(error("invalid name"));
        assertThat(mtx.pathConfigs()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"live/x-1a2b3c4d", "cam", "a/b/c", "Cam_1.main", "live/..x", "gb/34020000001320000001"})
    void validNamesAreAccepted(String name) throws Exception {
        assertThat(http.send("POST", "/v3/config/paths/add/" + name, "{}").statusCode()).isEqualTo(200);
        assertThat(Http.map(http.get("/v3/config/paths/get/" + name))).containsEntry("name", name);
    }

    @Test
    void emptyNameIsInvalid() throws Exception {
        assertThat(http.get("/v3/config/paths/get/").body()).isEqualTo(error("invalid name"));
    }

    @Test
    void listPaginatesSortedByName() throws Exception {
        for (String name : List.of("e", "c", "a", "d", "b")) {
            http.send("POST", "/v3/config/paths/add/" + name, "{}");
        }

        Map<String, Object> all = Http.map(http.get("/v3/config/paths/list"));
        assertThat(all).containsEntry("itemCount", 5).containsEntry("pageCount", 1);
        assertThat(names(all)).containsExactly("a", "b", "c", "d", "e");

        Map<String, Object> page1 = Http.map(http.get("/v3/config/paths/list?page=1&itemsPerPage=2"));
        assertThat(page1).containsEntry("itemCount", 5).containsEntry("pageCount", 3);
        assertThat(names(page1)).containsExactly("c", "d");

        Map<String, Object> last = Http.map(http.get("/v3/config/paths/list?page=2&itemsPerPage=2"));
        assertThat(names(last)).containsExactly("e");

        Map<String, Object> beyond = Http.map(http.get("/v3/config/paths/list?page=9&itemsPerPage=2"));
        assertThat(beyond).containsEntry("itemCount", 5).containsEntry("pageCount", 3);
        assertThat(names(beyond)).isEmpty();
    }

    @Test
    void emptyListHasNoPages() throws Exception {
        assertThat(http.get("/v3/config/paths/list").body()).isEqualTo("{\"itemCount\":0,\"pageCount\":0,\"items\":[]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"page=-1", "page=x", "itemsPerPage=abc", "itemsPerPage=0", "itemsPerPage=99999999999"})
    void invalidPagingIs400(String query) throws Exception {
        HttpResponse<String> r = http.get("/v3/config/paths/list?" + query);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Http.map(r)).containsEntry("status", "error").containsKey("error");
    }

    @Test
    void wrongMethodOrUnknownRouteIsPlain404() throws Exception {
        HttpResponse<String> r = http.send("DELETE", "/v3/config/paths/add/cam", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("404 page not found");
        assertThat(http.get("/v3/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void addPathConfigDirectlyValidatesLikeTheApi() {
        mtx.addPathConfig("static/cam", Map.of("record", true));

        assertThat(mtx.pathConfig("static/cam")).containsEntry("record", true);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mtx.addPathConfig("static/cam", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("path already exists");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mtx.addPathConfig("bad name", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @SuppressWarnings("unchecked")
    private static List<String> names(Map<String, Object> list) {
        return ((List<Map<String, Object>>) list.get("items")).stream().map(m -> (String) m.get("name")).toList();
    }
}
