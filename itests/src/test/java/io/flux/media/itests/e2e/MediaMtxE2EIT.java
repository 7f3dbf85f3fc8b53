package io.flux.media.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.flux.media.itests.Await;
import io.flux.media.itests.e2e.ServerApi.Reply;
import io.flux.media.testing.mediamtx.MediaMtxStandIn;
import io.flux.media.testing.mediamtx.MediaMtxStandIn.Fault;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * Media sources and stream assets end to end: the exported server as its own process with the mediamtx feature
 * (adapter + sources bundle) against the MediaMTX stand-in, which behaves as the real v1.20.1 control API and
 * playback server (MediaMTX itself cannot be installed here). Every source is one MediaMTX path: created,
 * patched, recorded and removed with it; failures roll back; MediaMTX down or the adapter stopped answer 503.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class MediaMtxE2EIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ServerProcess server;
    private static ServerApi api;
    private static MediaMtxStandIn mediamtx;
    private static String pullId;
    private static String pullPath;
    private static String pushId;

    @BeforeClass
    public static void start() throws Exception {
        mediamtx = MediaMtxStandIn.builder().credentials("flux", "mtx-secret").start();
        Path work = Path.of(System.getProperty("flux.itest.work", "target/itest-work")).resolve("e2e-mediamtx");
        ServerProcess.deleteTree(work);
        server = new ServerProcess(work, Map.of("io.flux.media.mediamtx.cfg", String.join("\n",
                "api.address=" + mediamtx.apiUrl(), "api.user=flux", ".api.password=mtx-secret",
                "playback.address=" + mediamtx.playbackUrl(), "rtmp.address=rtmp://media.example:1935",
                "hls.address=http://media.example:8888", "request.timeout.ms=1500", "connect.timeout.ms=1000", "")))
                .start();
        api = new ServerApi(server);
        await("mediamtx feature installed and MediaMTX ready", () -> api.get("/api/v1/health"),
                r -> r.body().contains("\"streaming_server\"") && r.body().contains("MediaMTX v1.20.1 answers"));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (mediamtx != null) {
            mediamtx.close();
        }
    }

    @Test
    public void a01_aPullSourceIsAMediaMtxPath() {
        Reply r = api.post("sources", "{\"name\":\"Gate camera\",\"type\":\"pull\",\"url\":\"rtsp://10.1.2.3:554/ch1\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        pullId = r.json().path("id").asText();
        pullPath = r.json().path("path_name").asText();
        assertThat(pullPath).matches("live/Gate-camera-[0-9a-f]{8}");
        assertThat(r.json().path("protocol").asText()).isEqualTo("rtsp");
        assertThat(mediamtx.pathConfigs()).containsKey(pullPath);
        assertThat(mediamtx.pathConfig(pullPath).get("source")).isEqualTo("rtsp://10.1.2.3:554/ch1");
        Reply status = api.get("sources/" + pullId + "/status");
        assertThat(status.json().path("online").asBoolean()).isFalse();
    }

    @Test
    public void a02_aPushSourceHasAPushUrl() {
        Reply r = api.post("sources", "{\"name\":\"truck\",\"type\":\"push\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        pushId = r.json().path("id").asText();
        String path = r.json().path("path_name").asText();
        assertThat(r.json().path("push_url").asText()).isEqualTo("rtmp://media.example:1935/" + path);
        assertThat(mediamtx.pathConfig(path).get("source")).isEqualTo("publisher");
        Reply preview = api.get("sources/" + pushId + "/preview");
        assertThat(preview.json().path("hls").asText()).isEqualTo("http://media.example:8888/" + path + "/index.m3u8");
        assertThat(preview.json().path("push_url").asText()).isEqualTo("rtmp://media.example:1935/" + path);
        // A publisher arrives: the runtime path goes online and the API says so.
        mediamtx.publish(path, "H264");
        assertThat(api.get("sources/" + pushId + "/preview/ready").json().path("ready").asBoolean()).isTrue();
        assertThat(api.get("sources/" + pushId + "/status").json().path("tracks").toString()).contains("H264");
    }

    @Test
    public void a03_namesBecomeValidUniquePathNames() {
        Reply a = api.post("sources", "{\"name\":\"前门 / # ? ..\",\"type\":\"push\"}");
        Reply b = api.post("sources", "{\"name\":\"前门 / # ? ..\",\"type\":\"push\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        assertThat(b.status()).as(b.body()).isEqualTo(201);
        String pa = a.json().path("path_name").asText();
        String pb = b.json().path("path_name").asText();
        assertThat(pa).isNotEqualTo(pb).matches("live/[0-9A-Za-z_-]+-[0-9a-f]{8}");
        // The stand-in validates names as MediaMTX does: both were accepted there.
        assertThat(mediamtx.pathConfigs()).containsKey(pa);
        assertThat(mediamtx.pathConfigs()).containsKey(pb);
    }

    @Test
    public void a04_badRequestsNameTheField() {
        Reply r = api.post("sources", "{\"name\":\"x\",\"type\":\"pull\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("url");
        Reply t = api.post("sources", "{\"name\":\"x\",\"type\":\"sideways\"}");
        assertThat(t.status()).isEqualTo(400);
        assertThat(t.body()).contains("type");
        assertThat(api.get("sources/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    }

    @Test
    public void b01_recordingFollowsTheSourceAndPlaysBack() {
        Reply start = api.post("sources/" + pullId + "/record/start", "");
        assertThat(start.status()).as(start.body()).isEqualTo(200);
        Map<String, Object> conf = mediamtx.pathConfig(pullPath);
        assertThat(conf.get("record")).isEqualTo(true);
        assertThat(String.valueOf(conf.get("recordPath"))).contains("%path");
        Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
        mediamtx.addRecording(pullPath, t0, Duration.ofSeconds(60));
        mediamtx.addRecording(pullPath, t0.plusSeconds(60), Duration.ofSeconds(60));
        Reply files = api.get("sources/" + pullId + "/record/files");
        assertThat(files.status()).as(files.body()).isEqualTo(200);
        assertThat(files.json().size()).isEqualTo(2);
        Reply playback = api.get("sources/" + pullId + "/playback?start=2026-11-22T10:00:30Z");
        assertThat(playback.status()).as(playback.body()).isEqualTo(200);
        assertThat(playback.json().path("url").asText()).startsWith(mediamtx.playbackUrl() + "/get?path=")
                .contains("start=2026-11-22T10:00:30");
        assertThat(api.get("sources/" + pullId + "/playback").status()).isEqualTo(400);
        Reply stop = api.post("sources/" + pullId + "/record/stop", "");
        assertThat(stop.status()).isEqualTo(200);
        assertThat(mediamtx.pathConfig(pullPath).get("record")).isEqualTo(false);
    }

    @Test
    public void c01_anAssetWithAStreamUrlCreatesSourceAndPathAndDeletingItKeepsThem() {
        Reply r = api.post("assets", "{\"type\":\"stream\",\"source_type\":\"live\",\"name\":\"lobby\","
                + "\"stream_url\":\"rtsp://10.1.2.4/lobby\",\"tags\":[\"floor-1\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String assetId = r.json().path("id").asText();
        String sourceId = r.json().path("source_id").asText();
        String path = r.json().path("path").asText();
        assertThat(mediamtx.pathConfigs()).containsKey(path);
        assertThat(api.get("assets/" + assetId + "/preview").json().path("rtsp").asText()).endsWith("/" + path);
        // The source is referenced: it cannot be deleted.
        Reply refused = api.send("DELETE", "sources/" + sourceId);
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.json().path("error").path("details").path("asset_count").asInt()).isEqualTo(1);
        assertThat(api.send("DELETE", "assets/" + assetId).status()).isEqualTo(204);
        assertThat(mediamtx.pathConfigs()).as("deleting an asset keeps its path").containsKey(path);
        assertThat(api.send("DELETE", "sources/" + sourceId).status()).isEqualTo(204);
        assertThat(mediamtx.pathConfigs()).as("deleting the source removes its path").doesNotContainKey(path);
    }

    @Test
    public void d01_mediaMtxDownMeans503AndNothingLeftBehind() {
        int sourcesBefore = api.get("sources").json().path("item_count").asInt();
        int pathsBefore = mediamtx.pathConfigs().size();
        mediamtx.fault(Fault.REFUSE);
        try {
            Reply r = api.post("sources", "{\"name\":\"down\",\"type\":\"push\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("streaming server unavailable");
            Reply asset = api.post("assets", "{\"type\":\"stream\",\"source_type\":\"live\",\"name\":\"down\","
                    + "\"stream_url\":\"rtsp://10.9.9.9/x\"}");
            assertThat(asset.status()).as(asset.body()).isEqualTo(503);
            await("health shows MediaMTX down", () -> api.get("/api/v1/health"),
                    h -> h.body().contains("\"streaming_server\",\"ready\":false"));
        } finally {
            mediamtx.fault(Fault.NONE);
        }
        assertThat(api.get("sources").json().path("item_count").asInt()).isEqualTo(sourcesBefore);
        assertThat(mediamtx.pathConfigs()).hasSize(pathsBefore);
        mediamtx.fault(Fault.HANG);
        try {
            long t = System.nanoTime();
            Reply r = api.post("sources", "{\"name\":\"hang\",\"type\":\"push\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - t)).as("bounded by the request timeout")
                    .isLessThan(Duration.ofSeconds(10));
        } finally {
            mediamtx.fault(Fault.NONE);
        }
        assertThat(api.get("sources").json().path("item_count").asInt()).isEqualTo(sourcesBefore);
    }

    @Test
    public void d02_stoppingTheAdapterBundleMeans503AndStartingItRestores() {
        long adapter = api.bundleId("io.flux.media.mediamtx");
        assertThat(api.post("bundles/" + adapter + "/stop", "").status()).isEqualTo(200);
        try {
            Reply r = api.get("sources/" + pushId + "/status");
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("streaming server unavailable");
            // Reads that need only the database keep working.
            assertThat(api.get("sources/" + pushId).status()).isEqualTo(200);
        } finally {
            assertThat(api.post("bundles/" + adapter + "/start", "").status()).isEqualTo(200);
        }
        await("status answers again", () -> api.get("sources/" + pushId + "/status"), r -> r.status() == 200);
    }

    @Test
    public void e01_deletingASourceRemovesItsPath() {
        String path = api.get("sources/" + pushId).json().path("path_name").asText();
        assertThat(api.send("DELETE", "sources/" + pushId).status()).isEqualTo(204);
        assertThat(mediamtx.pathConfigs()).doesNotContainKey(path);
        assertThat(api.get("sources/" + pushId).status()).isEqualTo(404);
    }

    private static Reply await(String what, java.util.function.Supplier<Reply> call,
            java.util.function.Predicate<Reply> ok) {
        return Await.value(what, WAIT, call, ok);
    }
}
