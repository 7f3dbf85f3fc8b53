package io.flux.media.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.flux.media.itests.Await;
import io.flux.media.itests.e2e.ServerApi.Reply;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Swapping storage backends under load, end to end: the exported server as its own process, 20 replayed streams
 * recording 2 s segments, the NAS and S3 features installed at runtime through the API against the real Samba and
 * S3Proxy the test scripts start, the active backend switched local, S3, NAS, local through the config API, and the
 * S3 bundle stopped and started while it is the active one, and the S3 and Samba servers themselves stopped and
 * started again while they are the active backend. Afterwards every segment of every stream is in the index
 * once, on exactly one backend, where that backend's own listing finds it, the segments of each stream follow each
 * other without a gap, and every one passes ffprobe.
 */
public class StorageSwapE2EIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int STREAMS = 20;
    private static final String RECORDING_PID = "io.flux.media.recording";

    private static Path work;
    private static ServerProcess server;
    private static ServerApi api;

    @BeforeClass
    public static void startServer() throws Exception {
        String smbUrl = System.getenv("FLUX_TEST_SMB_URL");
        String s3Endpoint = System.getenv("FLUX_TEST_S3_ENDPOINT");
        if (smbUrl == null || s3Endpoint == null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("FLUX_TEST_SMB_URL and FLUX_TEST_S3_ENDPOINT must be set under CI "
                        + "(scripts/test-services.sh starts Samba and S3Proxy)");
            }
            Assume.assumeTrue("Samba and S3Proxy are not running (scripts/test-services.sh start)", false);
        }
        Path root = Path.of(System.getProperty("flux.root", ".."));
        Path base = Path.of(System.getProperty("flux.itest.work", "target/itest-work"));
        work = base.resolve("e2e-storage-swap");
        Path media = base.resolve("media");
        Ffmpeg.Result gen = Ffmpeg.run("bash", root.resolve("scripts/test-media.sh").toString(), media.toString());
        assertThat(gen.exit()).as(gen.output()).isZero();
        ServerProcess.deleteTree(work);
        // A folder of its own on the share and in the bucket, so earlier runs cannot be counted.
        String run = "e2e-swap-" + System.currentTimeMillis();
        Map<String, String> cfg = new HashMap<>();
        cfg.put("io.flux.media.protocol.replay.cfg", "media.dir=" + media + "\n");
        cfg.put("io.flux.media.storage.nas.cfg", "share.url=" + smbUrl + "/" + run + "\nuser="
                + System.getenv("FLUX_TEST_SMB_USER") + "\n.password=" + System.getenv("FLUX_TEST_SMB_PASSWORD")
                + "\nmin.free.bytes=0\nreconnect.max.ms=2000\n");
        cfg.put("io.flux.media.storage.s3.cfg", "endpoint=" + s3Endpoint + "\nbucket="
                + System.getenv("FLUX_TEST_S3_BUCKET") + "\nprefix=" + run + "/\naccess.key="
                + System.getenv("FLUX_TEST_S3_ACCESS_KEY") + "\n.secret.key=" + System.getenv("FLUX_TEST_S3_SECRET_KEY")
                + "\n");
        server = new ServerProcess(work, cfg).start();
        api = new ServerApi(server);
        await("replay and local storage installed", () -> api.get("/api/v1/features"),
                r -> r.status() == 200 && ServerApi.installed(r.json(), "replay") && ServerApi.installed(r.json(), "storage-local"));
    }

    @AfterClass
    public static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    public void swappingBackendsUnderLoadLosesAndDuplicatesNothing() throws Exception {
        for (String f : List.of("storage-s3", "storage-nas")) {
            Reply r = api.post("/api/v1/features/" + f + "/install", "");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        await("local, nas and s3 bound", () -> api.get("/api/v1/recordings/storage"),
                r -> r.status() == 200 && backends(r.json()).containsAll(List.of("local", "nas", "s3")));

        for (int i = 1; i <= STREAMS; i++) {
            Reply r = api.post("/api/v1/replays", "{\"file\":\"h264-320x240.h264\",\"name\":\"s" + i + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            Reply rec = api.post("/api/v1/streams/replay/s" + i + "/record/start",
                    "{\"strategy\":\"time\",\"value\":2}");
            assertThat(rec.status()).as(rec.body()).isEqualTo(200);
        }
        awaitNewSegments("local", 0);

        switchTo("s3");
        awaitNewSegments("s3", 0);

        // The active backend's bundle goes away: segments wait in the spool, then catch up.
        long s3Bundle = api.bundleId("io.flux.media.storage.s3");
        int s3Before = objects("s3");
        assertThat(api.post("/api/v1/bundles/" + s3Bundle + "/stop", "").status()).isEqualTo(200);
        await("segments waiting in the spool", () -> api.get("/api/v1/recordings/storage"),
                r -> r.json().path("spool_waiting").asInt() >= STREAMS && r.json().path("active").asText("").isEmpty());
        assertThat(api.post("/api/v1/bundles/" + s3Bundle + "/start", "").status()).isEqualTo(200);
        await("s3 back", () -> api.get("/api/v1/recordings/storage"),
                r -> "s3".equals(r.json().path("active").asText()));
        awaitNewSegments("s3", s3Before);

        // The S3 server itself dies mid-upload and comes back: what it missed arrives whole, once.
        serverDiesAndComesBack("s3", "s3proxy.sh");

        switchTo("nas");
        awaitNewSegments("nas", 0);
        serverDiesAndComesBack("nas", "samba.sh");
        int localBefore = objects("local");
        switchTo("local");
        awaitNewSegments("local", localBefore);

        for (int i = 1; i <= STREAMS; i++) {
            assertThat(api.post("/api/v1/streams/replay/s" + i + "/record/stop", "").status()).isEqualTo(200);
        }
        JsonNode storage = await("the spool drained", () -> api.get("/api/v1/recordings/storage"),
                r -> r.json().path("spool_waiting").asInt() == 0 && r.json().path("spool_writing").asInt() == 0)
                .json();
        assertThat(storage.path("spool_bytes").asLong()).isZero();

        // The index: every stream's segments, contiguous, each on one backend.
        Map<String, String> where = new HashMap<>();
        Map<String, JsonNode> byKey = new HashMap<>();
        for (int i = 1; i <= STREAMS; i++) {
            JsonNode segments = api.get("/api/v1/streams/replay/s" + i + "/recordings?limit=10000").json()
                    .path("segments");
            assertThat(segments.size()).as("segments of s" + i).isGreaterThanOrEqualTo(5);
            Instant previousEnd = null;
            for (JsonNode seg : segments) {
                Instant start = Instant.parse(seg.path("start_time").asText());
                if (previousEnd != null) {
                    assertThat(start).as("s" + i + " has no hole before " + seg.path("id").asText())
                            .isEqualTo(previousEnd);
                }
                previousEnd = Instant.parse(seg.path("end_time").asText());
                assertThat(where.put(seg.path("key").asText(), seg.path("backend").asText())).isNull();
                byKey.put(seg.path("key").asText(), seg);
            }
        }
        assertThat(new HashSet<>(where.values())).containsExactlyInAnyOrder("local", "s3", "nas");

        // Each backend's own listing holds exactly the segments the index puts there: none missing, none twice.
        Set<String> seen = new HashSet<>();
        for (String backend : List.of("local", "s3", "nas")) {
            Set<String> listed = segmentKeys(backend);
            Set<String> indexed = new HashSet<>();
            where.forEach((k, b) -> {
                if (b.equals(backend)) {
                    indexed.add(k);
                }
            });
            assertThat(listed).as("segments on " + backend).isEqualTo(indexed);
            for (String k : listed) {
                assertThat(seen.add(k)).as(k + " on more than one backend").isTrue();
            }
        }
        assertThat(seen).isEqualTo(where.keySet());

        // Every segment plays, served from wherever it is.
        Path downloads = Files.createDirectories(work.resolve("downloads"));
        for (JsonNode seg : byKey.values()) {
            Path file = api.download(seg.path("url").asText(),
                    downloads.resolve(seg.path("key").asText().replace('/', '_')));
            assertThat(Files.size(file)).isEqualTo(seg.path("bytes").asLong());
            assertThat(Ffmpeg.problems(file)).as(seg.path("key").asText() + " on " + seg.path("backend").asText())
                    .isEmpty();
        }

        assertThat(api.metric("recording_segments_total", "result=\"complete\"")).isEqualTo(where.size());
        assertThat(api.metric("recording_segments_total", "result=\"failed\"")).isZero();
        assertThat(api.metric("recording_segments_total", "result=\"evicted\"")).isZero();
    }

    /**
     * Kills the peer (SIGKILL, its data kept) with its script while it is the active backend, then starts it again
     * and awaits catch-up.
     */
    private static void serverDiesAndComesBack(String backend, String script) throws Exception {
        Path root = Path.of(System.getProperty("flux.root", ".."));
        Ffmpeg.Result kill = Ffmpeg.run("bash", root.resolve("scripts").resolve(script).toString(), "kill");
        assertThat(kill.exit()).as(kill.output()).isZero();
        try {
            await(backend + " failing while segments wait", () -> api.get("/api/v1/recordings/storage"),
                    r -> r.json().path("spool_waiting").asInt() >= STREAMS && unhealthy(r.json(), backend));
        } finally {
            Ffmpeg.Result start = Ffmpeg.run("bash", root.resolve("scripts").resolve(script).toString(), "start");
            assertThat(start.exit()).as(start.output()).isZero();
        }
        await(backend + " caught up", () -> api.get("/api/v1/recordings/storage"),
                r -> r.json().path("spool_waiting").asInt() < STREAMS && !unhealthy(r.json(), backend));
    }

    private static boolean unhealthy(JsonNode storage, String backend) {
        for (JsonNode b : storage.path("backends")) {
            if (backend.equals(b.path("backend").asText())) {
                return !b.path("healthy").asBoolean();
            }
        }
        return false;
    }

    private static void switchTo(String backend) {
        Reply r = api.patch("/api/v1/config/" + RECORDING_PID,
                "{\"storage.target\":\"(flux.storage.type=" + backend + ")\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        await("active backend " + backend, () -> api.get("/api/v1/recordings/storage"),
                x -> backend.equals(x.json().path("active").asText()));
    }

    /** Waits until every stream has put at least one more segment on {@code backend}. */
    private static void awaitNewSegments(String backend, int before) {
        Await.value(STREAMS + " new segments on " + backend, WAIT, () -> objects(backend), n -> n >= before + STREAMS);
    }

    private static int objects(String backend) {
        return segmentKeys(backend).size();
    }

    private static Set<String> segmentKeys(String backend) {
        Set<String> keys = new HashSet<>();
        String token = null;
        do {
            Reply r = api.get("/api/v1/recordings/storage/" + backend + "/objects?prefix=replay/&limit=1000"
                    + (token != null ? "&token=" + java.net.URLEncoder.encode(token,
                            java.nio.charset.StandardCharsets.UTF_8) : ""));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (JsonNode o : r.json().path("objects")) {
                String k = o.path("key").asText();
                if (k.contains("/segments/")) {
                    keys.add(k);
                }
            }
            token = r.json().path("next_token").isNull() ? null : r.json().path("next_token").asText(null);
        } while (token != null);
        return keys;
    }

    private static List<String> backends(JsonNode storage) {
        List<String> out = new ArrayList<>();
        storage.path("backends").forEach(b -> out.add(b.path("backend").asText()));
        return out;
    }

    private static Reply await(String what, Supplier<Reply> call, Predicate<Reply> ok) {
        return Await.value(what, WAIT, call, ok);
    }
}
