package io.flux.media.mediamtx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.api.streaming.StreamingServerException.Reason;
import io.flux.media.api.streaming.StreamingServerStatus;
import io.flux.media.testing.Configs;
import io.flux.media.testing.mediamtx.MediaMtxStandIn;
import io.flux.media.testing.mediamtx.MediaMtxStandIn.Fault;

/** The adapter against the MediaMTX stand-in, one behaviour of the contract per test. */
class MediaMtxServerTest {

    private static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");

    private MediaMtxStandIn mtx;
    private MediaMtxServer server;
    private final AtomicLong clock = new AtomicLong();

    @BeforeEach
    void start() {
        mtx = MediaMtxStandIn.start();
        server = new MediaMtxServer(config(mtx, Map.of()), clock::get);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.deactivate();
        }
        if (mtx != null) {
            mtx.close();
        }
    }

    static MediaMtxServer.Config config(MediaMtxStandIn standIn, Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put("api_address", standIn.apiUrl());
        values.put("playback_address", standIn.playbackUrl());
        values.put("request_timeout_ms", 1000);
        values.put("connect_timeout_ms", 500);
        values.putAll(overrides);
        return Configs.of(MediaMtxServer.Config.class, values);
    }

    private static StreamingServerException failure(Runnable call) {
        try {
            call.run();
        } catch (StreamingServerException e) {
            return e;
        }
        throw new AssertionError("expected a StreamingServerException");
    }

    @Nested
    class PathConfigs {

        @Test
        void addsAPublisherPathAndReadsItBack() {
            server.addPath("live/cam-1", PathConfig.publisher());

            assertThat(mtx.pathConfigs()).containsKey("live/cam-1");
            assertThat(mtx.pathConfig("live/cam-1")).containsEntry("source", "publisher");
            assertThat(mtx.requests()).contains("POST /v3/config/paths/add/live/cam-1");
            Optional<PathConfig> read = server.pathConfig("live/cam-1");
            assertThat(read).isPresent();
            assertThat(read.get().name()).isEqualTo("live/cam-1");
            assertThat(read.get().source()).isEqualTo("publisher");
        }

        @Test
        void addsAPullPathWithItsFields() {
            server.addPath("pull1", new PathConfig(null, "rtsp://10.0.0.5:554/stream", true, false, null, null, null,
                    "0s"));

            PathConfig read = server.pathConfig("pull1").orElseThrow();
            assertThat(read.source()).isEqualTo("rtsp://10.0.0.5:554/stream");
            assertThat(read.sourceOnDemand()).isTrue();
            assertThat(read.record()).isFalse();
            assertThat(mtx.pathConfig("pull1")).containsEntry("sourceOnDemand", true);
        }

        @Test
        void duplicateAddIsAConflict() {
            server.addPath("live/dup", PathConfig.publisher());

            StreamingServerException e = failure(() -> server.addPath("live/dup", PathConfig.publisher()));

            assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
            assertThat(e).hasMessageContaining("live/dup").hasMessageContaining("already exists");
        }

        @Test
        void invalidNamesAreInvalid() {
            for (String name : List.of("bad name", "live/../x", "/leading", "trailing/", "a#b")) {
                StreamingServerException e = failure(() -> server.addPath(name, PathConfig.publisher()));
                assertThat(e.reason()).as(name).isEqualTo(Reason.INVALID);
                assertThat(e).as(name).hasMessageContaining("invalid name");
            }
            assertThat(failure(() -> server.addPath("", PathConfig.publisher())).reason()).isEqualTo(Reason.INVALID);
            assertThat(mtx.pathConfigs()).isEmpty();
        }

        @Test
        void characterEncodingKeepsSlashesAndEncodesTheRest() {
            failure(() -> server.addPath("a b?c", PathConfig.publisher()));

            // The stand-in decodes the path: the name arrived whole, '?' not taken for a query.
            assertThat(mtx.requestLog()).anySatisfy(r -> {
                assertThat(r.path()).isEqualTo("/v3/config/paths/add/a b?c");
                assertThat(r.query()).isNullOrEmpty();
            });
            assertThat(MediaMtxClient.pathName("live/a b?c/%")).isEqualTo("live/a%20b%3Fc/%25");
            assertThat(MediaMtxClient.pathName("直播/cam")).isEqualTo("%E7%9B%B4%E6%92%AD/cam");
        }

        @Test
        void unknownPathsAreEmptyOrNotFound() {
            assertThat(server.pathConfig("live/none")).isEmpty();
            assertThat(failure(() -> server.patchPath("live/none", PathConfig.publisher())).reason())
                    .isEqualTo(Reason.NOT_FOUND);
            assertThat(failure(() -> server.replacePath("live/none", PathConfig.publisher())).reason())
                    .isEqualTo(Reason.NOT_FOUND);
            StreamingServerException e = failure(() -> server.deletePath("live/none"));
            assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
            assertThat(e).hasMessageContaining("live/none");
        }

        @Test
        void patchChangesOnlyTheGivenFields() {
            server.addPath("p", new PathConfig(null, "rtsp://cam/1", true, null, null, null, null, null));

            server.patchPath("p", new PathConfig(null, "rtsp://cam/2", null, null, null, null, null, null));

            PathConfig read = server.pathConfig("p").orElseThrow();
            assertThat(read.source()).isEqualTo("rtsp://cam/2");
            assertThat(read.sourceOnDemand()).isTrue();
        }

        @Test
        void replaceResetsTheFieldsNotGiven() {
            server.addPath("r", new PathConfig(null, "rtsp://cam/1", true, null, null, null, null, null));

            server.replacePath("r", PathConfig.publisher());

            PathConfig read = server.pathConfig("r").orElseThrow();
            assertThat(read.source()).isEqualTo("publisher");
            assertThat(read.sourceOnDemand()).isFalse();
        }

        @Test
        void deleteRemovesThePath() {
            server.addPath("live/gone", PathConfig.publisher());

            server.deletePath("live/gone");

            assertThat(mtx.pathConfigs()).doesNotContainKey("live/gone");
            assertThat(server.pathConfig("live/gone")).isEmpty();
        }

        @Test
        void listsPageByPage() {
            for (int i = 0; i < 5; i++) {
                server.addPath("live/c" + i, PathConfig.publisher());
            }

            Page<PathConfig> first = server.pathConfigs(0, 2);
            Page<PathConfig> last = server.pathConfigs(2, 2);

            assertThat(first.item_count()).isEqualTo(5);
            assertThat(first.page_count()).isEqualTo(3);
            assertThat(first.items()).hasSize(2);
            assertThat(last.items()).hasSize(1);
            assertThat(mtx.requestLog()).anySatisfy(r -> {
                assertThat(r.path()).isEqualTo("/v3/config/paths/list");
                assertThat(r.query()).contains("page=2").contains("itemsPerPage=2");
            });
            List<String> names = new java.util.ArrayList<>();
            for (int page = 0; page < 3; page++) {
                server.pathConfigs(page, 2).items().forEach(p -> names.add(p.name()));
            }
            assertThat(names).containsExactlyInAnyOrder("live/c0", "live/c1", "live/c2", "live/c3", "live/c4");
        }
    }

    @Nested
    class RuntimePaths {

        @Test
        void aConfiguredPathIsReportedOffline() {
            server.addPath("live/off", PathConfig.publisher());

            PathState state = server.path("live/off").orElseThrow();

            assertThat(state.name()).isEqualTo("live/off");
            assertThat(state.online()).isFalse();
            assertThat(state.online_time()).isNull();
            assertThat(state.source_type()).isNull();
            assertThat(state.tracks()).isEmpty();
        }

        @Test
        void aPublishedPathIsOnlineWithTracksCountersAndReaders() {
            server.addPath("live/on", PathConfig.publisher());
            mtx.publishAs("live/on", "rtmpConn", "H264", "MPEG-4 Audio");
            mtx.traffic("live/on", 5000, 7000);
            mtx.addReader("live/on", "hlsMuxer");
            mtx.addReader("live/on", "webRTCSession");

            PathState state = server.path("live/on").orElseThrow();

            assertThat(state.online()).isTrue();
            assertThat(state.online_time()).isNotNull();
            assertThat(state.source_type()).isEqualTo("rtmpConn");
            assertThat(state.tracks()).containsExactly("H264", "MPEG-4 Audio");
            assertThat(state.bytes_received()).isEqualTo(5000);
            assertThat(state.bytes_sent()).isEqualTo(7000);
            assertThat(state.readers()).isEqualTo(2);

            mtx.unpublish("live/on");
            assertThat(server.path("live/on").orElseThrow().online()).isFalse();
        }

        @Test
        void unknownPathIsEmpty() {
            assertThat(server.path("live/unknown")).isEmpty();
            assertThat(failure(() -> server.path("bad name")).reason()).isEqualTo(Reason.INVALID);
        }

        @Test
        void listsRuntimePaths() {
            server.addPath("live/a", PathConfig.publisher());
            server.addPath("live/b", PathConfig.publisher());
            server.addPath("live/c", PathConfig.publisher());
            mtx.publish("live/b");

            Page<PathState> page = server.paths(0, 2);
            Page<PathState> all = server.paths(0, 100);

            assertThat(page.item_count()).isEqualTo(3);
            assertThat(page.page_count()).isEqualTo(2);
            assertThat(page.items()).hasSize(2);
            assertThat(all.items()).extracting(PathState::name).containsExactlyInAnyOrder("live/a", "live/b",
                    "live/c");
            assertThat(all.items()).filteredOn(PathState::online).extracting(PathState::name)
                    .containsExactly("live/b");
        }
    }

    @Nested
    class Recording {

        @Test
        void setRecordingPatchesRecordWithTheConfiguredParameters() {
            server.addPath("live/rec", PathConfig.publisher());

            server.setRecording("live/rec", true);

            assertThat(mtx.pathConfig("live/rec"))
                    .containsEntry("record", true)
                    .containsEntry("recordPath", "./recordings/%path/%Y-%m-%d_%H-%M-%S-%f")
                    .containsEntry("recordFormat", "fmp4");
            assertThat(server.pathConfig("live/rec").orElseThrow().recordSegmentDuration())
                    .isIn("1h", "1h0m0s");
            assertThat(mtx.requests()).contains("PATCH /v3/config/paths/patch/live/rec");

            server.setRecording("live/rec", false);
            assertThat(mtx.pathConfig("live/rec")).containsEntry("record", false);
        }

        @Test
        void setRecordingOfAnUnknownPathIsNotFound() {
            assertThat(failure(() -> server.setRecording("live/none", true)).reason()).isEqualTo(Reason.NOT_FOUND);
        }

        @Test
        void recordingParametersFollowAConfigurationChange() {
            server.addPath("live/rec2", PathConfig.publisher());

            server.modified(config(mtx, Map.of("record_format", "mpegts", "segment_duration", "10m",
                    "record_path", "/data/rec/%path/%Y%m%d%H%M%S%f")));
            server.setRecording("live/rec2", true);

            assertThat(mtx.pathConfig("live/rec2"))
                    .containsEntry("recordFormat", "mpegts")
                    .containsEntry("recordPath", "/data/rec/%path/%Y%m%d%H%M%S%f");
            assertThat(server.pathConfig("live/rec2").orElseThrow().recordSegmentDuration()).isIn("10m", "10m0s");
        }

        @Test
        void listsRecordingsOldestFirst() {
            server.addPath("live/r", PathConfig.publisher());
            mtx.addRecording("live/r", T0.plusSeconds(3600), Duration.ofMinutes(60));
            mtx.addRecording("live/r", T0, Duration.ofMinutes(60));

            assertThat(server.recordings("live/r")).containsExactly(T0, T0.plusSeconds(3600));
        }

        @Test
        void noRecordingsIsAnEmptyList() {
            server.addPath("live/empty", PathConfig.publisher());

            assertThat(server.recordings("live/empty")).isEmpty();
            assertThat(server.recordings("live/unknown")).isEmpty();
            assertThat(failure(() -> server.recordings("bad name")).reason()).isEqualTo(Reason.INVALID);
        }

        @Test
        void deletesARecordingSegment() {
            server.addPath("live/d", PathConfig.publisher());
            Instant second = T0.plusSeconds(3600).plusNanos(123_456_000);
            mtx.addRecording("live/d", T0, Duration.ofMinutes(60));
            mtx.addRecording("live/d", second, Duration.ofMinutes(60));

            server.deleteRecordingSegment("live/d", second);

            assertThat(mtx.recordings("live/d")).containsOnlyKeys(T0);
            assertThat(server.recordings("live/d")).containsExactly(T0);
            assertThat(mtx.requestLog()).anySatisfy(r -> {
                assertThat(r.line()).isEqualTo("DELETE /v3/recordings/deletesegment");
                assertThat(r.query()).contains("path=live/d").contains("start=2024-05-01T09:00:00.123456Z");
            });
        }

        @Test
        void deletingAMissingSegmentIsNotFound() {
            server.addPath("live/d2", PathConfig.publisher());
            mtx.addRecording("live/d2", T0, Duration.ofMinutes(60));

            StreamingServerException e = failure(() -> server.deleteRecordingSegment("live/d2", T0.plusSeconds(1)));

            assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
            assertThat(mtx.recordings("live/d2")).containsOnlyKeys(T0);
            assertThat(failure(() -> server.deleteRecordingSegment("live/none", T0)).reason())
                    .isEqualTo(Reason.NOT_FOUND);
        }
    }

    @Nested
    class Playback {

        @Test
        void listsWhatThePlaybackServerCanPlay() {
            server.addPath("live/pb", PathConfig.publisher());
            mtx.addRecording("live/pb", T0, Duration.ofSeconds(90));

            List<PlaybackSegment> segments = server.playbackSegments("live/pb", null, null);

            assertThat(segments).hasSize(1);
            assertThat(segments.get(0).start()).isEqualTo(T0);
            assertThat(segments.get(0).duration_s()).isEqualTo(90.0);
            // MediaMTX's own URL, passed through as it wrote it.
            assertThat(segments.get(0).url()).startsWith(mtx.playbackUrl() + "/get?").contains("path=live%2Fpb");
            assertThat(mtx.requestLog()).anySatisfy(r -> {
                assertThat(r.server()).isEqualTo("playback");
                assertThat(r.path()).isEqualTo("/list");
            });
        }

        @Test
        void passesStartAndEnd() {
            server.addPath("live/pb2", PathConfig.publisher());
            mtx.addRecording("live/pb2", T0, Duration.ofSeconds(60));

            server.playbackSegments("live/pb2", T0.minusSeconds(10), T0.plusSeconds(30));

            assertThat(mtx.requestLog()).anySatisfy(r -> {
                assertThat(r.path()).isEqualTo("/list");
                assertThat(r.query()).contains("path=live/pb2").contains("start=2024-05-01T07:59:50Z")
                        .contains("end=2024-05-01T08:00:30Z");
            });
        }

        @Test
        void nothingRecordedIsEmpty() {
            server.addPath("live/pb3", PathConfig.publisher());

            assertThat(server.playbackSegments("live/pb3", null, null)).isEmpty();
            // MediaMTX answers 400 "path '...' is not configured": nothing to play either.
            assertThat(server.playbackSegments("live/unknown", null, null)).isEmpty();
            assertThat(failure(() -> server.playbackSegments("bad name", null, null)).reason())
                    .isEqualTo(Reason.INVALID);
        }

        @Test
        void playbackUrlPlaysOnThePlaybackServer() throws Exception {
            server.addPath("live/pb4", PathConfig.publisher());
            mtx.addRecording("live/pb4", T0, Duration.ofSeconds(60));

            String url = server.playbackUrl("live/pb4", T0, Duration.ofMillis(30_500));

            assertThat(url).isEqualTo(mtx.playbackUrl() + "/get?path=live/pb4&start=2024-05-01T08:00:00Z"
                    + "&duration=30.5");
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).isEqualTo(200);
            }
            assertThat(failure(() -> server.playbackUrl("live/pb4", T0, Duration.ZERO)).reason())
                    .isEqualTo(Reason.INVALID);
        }
    }

    @Nested
    class Urls {

        @Test
        void buildsEveryClientUrlFromTheConfiguredAddresses() {
            PathUrls urls = server.urls("live/cam-1");

            assertThat(urls).isEqualTo(new PathUrls("rtsp://127.0.0.1:8554/live/cam-1",
                    "rtmp://127.0.0.1:1935/live/cam-1", "http://127.0.0.1:8888/live/cam-1/index.m3u8",
                    "http://127.0.0.1:8889/live/cam-1/whep", "srt://127.0.0.1:8890?streamid=read:live/cam-1",
                    "rtmp://127.0.0.1:1935/live/cam-1"));
        }

        @Test
        void anEmptyAddressGivesNullAndAChangeAppliesAtOnce() {
            server.modified(config(mtx, Map.of("hls_address", "", "rtsp_address", "rtsps://media.example:8322/",
                    "webrtc_address", "https://media.example")));

            PathUrls urls = server.urls("cam");

            assertThat(urls.hls()).isNull();
            assertThat(urls.rtsp()).isEqualTo("rtsps://media.example:8322/cam");
            assertThat(urls.webrtc()).isEqualTo("https://media.example/cam/whep");
        }
    }

    @Nested
    class Availability {

        @Test
        void statusReportsTheVersion() {
            StreamingServerStatus status = server.status();

            assertThat(status.reachable()).isTrue();
            assertThat(status.version()).isEqualTo(MediaMtxStandIn.VERSION);
        }

        @Test
        void refusedConnectionsAreUnavailableNamingTheAddress() {
            mtx.fault(Fault.REFUSE);

            StreamingServerException e = failure(() -> server.addPath("live/x", PathConfig.publisher()));

            assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
            assertThat(e).hasMessageContaining(mtx.apiUrl()).hasMessageContaining("connection refused");
            StreamingServerStatus status = server.status();
            assertThat(status.reachable()).isFalse();
            assertThat(status.message()).contains(mtx.apiUrl()).contains("connection refused");
        }

        @Test
        void aHangingServerIsUnavailableAfterTheRequestTimeout() {
            mtx.fault(Fault.HANG);

            StreamingServerException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> failure(() -> server.pathConfig("live/x")));

            assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
            assertThat(e).hasMessageContaining(mtx.apiUrl()).hasMessageContaining("no answer within 1000 ms");
        }

        @Test
        void serverErrorsAreUnavailable() {
            mtx.fault(Fault.ERROR_500);

            for (Runnable call : List.<Runnable>of(() -> server.addPath("a", PathConfig.publisher()),
                    () -> server.pathConfig("a"), () -> server.paths(0, 10), () -> server.recordings("a"),
                    () -> server.playbackSegments("a", null, null))) {
                StreamingServerException e = failure(call);
                assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
                assertThat(e).hasMessageContaining("500");
            }
        }

        @Test
        void deactivatedAdapterIsUnavailable() {
            server.deactivate();

            assertThat(failure(() -> server.pathConfig("a")).reason()).isEqualTo(Reason.UNAVAILABLE);
            assertThat(server.status().reachable()).isFalse();
            assertThat(server.check().ready()).isFalse();
            server = null;
        }
    }

    @Nested
    class Authentication {

        private static final String PASSWORD = "pa55-w0rd-xyz";

        @Test
        void rightCredentialsAreAccepted() {
            mtx.credentials("flux", PASSWORD);
            server.modified(config(mtx, Map.of("api_user", "flux", "_api_password", PASSWORD)));

            server.addPath("live/auth", PathConfig.publisher());
            mtx.addRecording("live/auth", T0, Duration.ofSeconds(10));

            assertThat(server.pathConfig("live/auth")).isPresent();
            assertThat(server.playbackSegments("live/auth", null, null)).hasSize(1);
            assertThat(server.status().reachable()).isTrue();
        }

        @Test
        void wrongOrMissingCredentialsAreUnavailableNaming401WithoutThePassword() {
            mtx.credentials("flux", "the-right-one");
            server.modified(config(mtx, Map.of("api_user", "flux", "_api_password", PASSWORD)));

            StreamingServerException wrong = failure(() -> server.addPath("live/x", PathConfig.publisher()));
            assertThat(wrong.reason()).isEqualTo(Reason.UNAVAILABLE);
            assertThat(wrong).hasMessageContaining("401").hasMessageContaining("flux")
                    .hasMessageNotContaining(PASSWORD);
            assertThat(server.status().message()).contains("401").doesNotContain(PASSWORD);
            assertThat(server.check().message()).contains("401").doesNotContain(PASSWORD);

            server.modified(config(mtx, Map.of()));
            assertThat(failure(() -> server.pathConfig("live/x"))).hasMessageContaining("401");
            assertThat(mtx.pathConfigs()).isEmpty();
        }

        @Test
        void noLogLineContainsThePassword() {
            try (LogCapture logs = LogCapture.start()) {
                mtx.credentials("flux", "other");
                server.modified(config(mtx, Map.of("api_user", "flux", "_api_password", PASSWORD)));
                failure(() -> server.addPath("live/x", PathConfig.publisher()));
                server.check();
                mtx.credentials("flux", PASSWORD);
                server.addPath("live/y", PathConfig.publisher());
                assertThatThrownBy(() -> server.modified(config(mtx, Map.of("api_user", "flux",
                        "_api_password", PASSWORD, "record_format", "bogus"))))
                        .isInstanceOf(IllegalArgumentException.class);

                assertThat(logs.lines()).anyMatch(line -> line.contains("reconfigured"))
                        .anyMatch(line -> line.contains("401"))
                        .anyMatch(line -> line.contains("refused"))
                        .noneMatch(line -> line.contains(PASSWORD));
            }
        }
    }

    @Nested
    class ReadinessCheck {

        @Test
        void upWhenInfoAnswers() {
            Readiness readiness = server.check();

            assertThat(server.name()).isEqualTo("streaming_server");
            assertThat(readiness.ready()).isTrue();
            assertThat(readiness.details()).containsEntry("version", MediaMtxStandIn.VERSION)
                    .containsEntry("address", mtx.apiUrl());
        }

        @Test
        void downWhenRefused() {
            mtx.fault(Fault.REFUSE);

            Readiness readiness = server.check();

            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.message()).contains(mtx.apiUrl()).contains("connection refused");
        }

        @Test
        void cachedForAFewSeconds() {
            assertThat(server.check().ready()).isTrue();
            mtx.fault(Fault.REFUSE);

            clock.addAndGet(MediaMtxClient.READINESS_TTL.toNanos() - 1);
            assertThat(server.check().ready()).as("within the TTL").isTrue();
            assertThat(mtx.requests()).containsOnlyOnce("GET /v3/info");

            clock.addAndGet(1);
            assertThat(server.check().ready()).as("after the TTL").isFalse();
        }

        @Test
        void aHangingServerDoesNotHangTheCheck() {
            mtx.fault(Fault.HANG);

            Readiness readiness = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> server.check());

            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.message()).contains(mtx.apiUrl());
        }

        @Test
        void aConfigurationChangeDropsTheCachedResult() {
            assertThat(server.check().ready()).isTrue();
            try (MediaMtxStandIn other = MediaMtxStandIn.start()) {
                other.fault(Fault.REFUSE);

                server.modified(config(other, Map.of()));

                assertThat(server.check().ready()).isFalse();
                assertThat(server.check().message()).contains(other.apiUrl());
            }
        }
    }

    @Nested
    class Configuration {

        @Test
        void activationFailsOnAnInvalidConfiguration() {
            assertThatThrownBy(() -> new MediaMtxServer(config(mtx, Map.of("api_address", "rtsp://x:1"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("api.address 'rtsp://x:1' must start with http:// or https://");
        }

        @Test
        void anInvalidChangeIsRefusedAndTheRunningClientStays() {
            MediaMtxClient before = server.currentClient();

            assertThatThrownBy(() -> server.modified(config(mtx, Map.of("playback_address", "nope"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("playback.address");

            assertThat(server.currentClient()).isSameAs(before);
            server.addPath("live/still", PathConfig.publisher());
            assertThat(mtx.pathConfigs()).containsKey("live/still");
        }

        @Test
        void aChangeSwitchesToAnotherServerWhileACallInFlightFinishesOnTheOldOne() throws Exception {
            try (MediaMtxStandIn other = MediaMtxStandIn.start();
                    GateProxy gate = GateProxy.to(mtx.apiUrl())) {
                server.modified(config(mtx, Map.of("api_address", gate.url())));
                MediaMtxClient old = server.currentClient();

                java.util.concurrent.CompletableFuture<Void> inFlight = java.util.concurrent.CompletableFuture
                        .runAsync(() -> server.addPath("live/old", PathConfig.publisher()));
                gate.awaitHeld(1);

                server.modified(config(other, Map.of()));
                server.addPath("live/new", PathConfig.publisher());
                assertThat(other.pathConfigs()).containsOnlyKeys("live/new");
                assertThat(old.terminated()).as("old client waits for its call").isFalse();
                assertThat(inFlight).isNotDone();

                gate.release();
                inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);

                assertThat(mtx.pathConfigs()).containsOnlyKeys("live/old");
                assertThat(old.terminated()).isTrue();
            }
        }
    }
}
