package io.flux.media.publish.rtsp.internal;

import static io.flux.media.publish.rtsp.internal.RtpPacketizerTest.annexB;
import static io.flux.media.publish.rtsp.internal.RtpPacketizerTest.nal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamState;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;
import io.flux.media.testing.FakeStreamRegistry;

/** The publisher's RTSP behaviour and lifecycle against {@link ScriptedRtspServer}. */
class RtspPublishServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final StreamId GB = StreamId.of("gb28181/34020000001320000001/34020000001310000001");
    private static final StreamId RTSP = StreamId.of("rtsp/cam-1/main");
    private static final byte[] SPS = {0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xDA, 0x02, (byte) 0x80};
    private static final byte[] PPS = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};

    private final FakeStreamRegistry registry = new FakeStreamRegistry();
    private final FakeMetricsRegistry metrics = new FakeMetricsRegistry();
    private ScriptedRtspServer rtsp;
    private FakeStreamingServer server;
    private RtspPublishService service;
    private long pts;

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.deactivate();
        }
        if (rtsp != null) {
            rtsp.close();
        }
    }

    private RtspPublishService start(Map<String, Object> config, boolean bindServer) throws Exception {
        rtsp = new ScriptedRtspServer();
        server = new FakeStreamingServer(rtsp.port());
        service = new RtspPublishService(registry, Configs.of(RtspPublishService.Config.class, config), 200);
        service.bindMetrics(metrics);
        if (bindServer) {
            service.bindStreamingServer(server);
        }
        service.activate();
        return service;
    }

    private void startStream(StreamId id, String protocol) {
        StreamInfo info = new StreamInfo(id, protocol, StreamState.LIVE, null, null, 25, 0, Instant.now(),
                Instant.now(), Instant.now(), 0, 0);
        registry.infos.put(id, info);
        registry.listener.onStreamStart(info);
    }

    /** A keyframe with parameter sets and a slice big enough to need FU-A at 200 bytes a packet. */
    private void keyframe(StreamId id) {
        registry.listener.onSample(id, new VideoSample(Codec.H264, pts, pts, true,
                annexB(SPS, PPS, nal(0x65, 900))));
        pts += 3600;
        registry.listener.onSample(id, new VideoSample(Codec.H264, pts, pts, false, annexB(nal(0x41, 100))));
        pts += 3600;
    }

    private Publisher.State state(StreamId id) {
        return service.publisher(id).map(Publisher::state).orElse(null);
    }

    private PreviewResource preview() {
        return new PreviewResource(registry, service);
    }

    @Test
    void announcesSetsUpRecordsSendsRtpKeepsAliveAndTearsDown() throws Exception {
        start(Map.of("keepalive_interval_s", 1), true);
        String path = PathNames.of(GB);
        String url = "rtsp://127.0.0.1:" + rtsp.port() + "/" + path;

        startStream(GB, "gb28181");
        keyframe(GB);
        Await.until("RTP", WAIT, () -> rtsp.rtpPackets.get() >= 6);

        assertThat(rtsp.requests).startsWith("1 OPTIONS " + url, "1 ANNOUNCE " + url,
                "1 SETUP " + url + "/trackID=0", "1 RECORD " + url);
        assertThat(rtsp.sdps.get(0)).contains("a=rtpmap:96 H264/90000", "packetization-mode=1",
                "a=control:trackID=0");
        // The server lists GET_PARAMETER, so that is the keep-alive.
        Await.until("keep-alive", WAIT, () -> rtsp.count("GET_PARAMETER") >= 1);
        assertThat(metrics.value(PublishMetrics.SESSIONS_ACTIVE)).isEqualTo(1);

        registry.listener.onStreamEnd(GB);
        Await.until("teardown and path removal", WAIT,
                () -> rtsp.count("TEARDOWN") == 1 && server.calls.contains("delete " + path));
        assertThat(server.calls).containsExactly("add " + path + " publisher", "delete " + path);
        assertThat(service.publisher(GB)).isEmpty();
        assertThat(metrics.value(PublishMetrics.SESSIONS_ACTIVE)).isZero();
    }

    @Test
    void answersDigestChallengeWithTheConfiguredCredentials() throws Exception {
        start(Map.of("rtsp_user", "pub", "_rtsp_password", "pw"), true);
        rtsp.credentials("pub", "pw");

        startStream(GB, "gb28181");
        keyframe(GB);

        Await.until("publishing", WAIT, () -> state(GB) == Publisher.State.PUBLISHING);
        // Only the first request needed a challenge; the rest carried credentials straight away.
        assertThat(rtsp.requests.stream().map(r -> r.split(" ")[1]))
                .containsExactly("OPTIONS", "OPTIONS", "ANNOUNCE", "SETUP", "RECORD");
    }

    @Test
    void refusedForLackOfCredentialsRetriesAndPicksUpCredentialsConfiguredLater() throws Exception {
        start(Map.of(), true);
        rtsp.credentials("pub", "pw");
        startStream(GB, "gb28181");
        keyframe(GB);

        Await.until("auth error counted", WAIT,
                () -> metrics.value(PublishMetrics.ERRORS, "auth") >= 1 && state(GB) == Publisher.State.RECONNECTING);
        service.modified(Configs.of(RtspPublishService.Config.class, Map.of("rtsp_user", "pub",
                "_rtsp_password", "pw")));
        keyframe(GB); // the retry resumes at a keyframe
        Await.until("publishing", WAIT, () -> state(GB) == Publisher.State.PUBLISHING);
    }

    @Test
    void reconnectsAfterTheConnectionDropsAndResumesAtAKeyframe() throws Exception {
        start(Map.of(), true);
        startStream(GB, "gb28181");
        keyframe(GB);
        Await.until("publishing", WAIT, () -> state(GB) == Publisher.State.PUBLISHING && rtsp.rtpPackets.get() > 0);

        rtsp.dropConnections();
        Await.until("connection loss noticed", WAIT, () -> state(GB) != Publisher.State.PUBLISHING);
        assertThat(metrics.value(PublishMetrics.ERRORS, "io")).isEqualTo(1);
        int before = rtsp.rtpPackets.get();
        keyframe(GB);

        Await.until("second session", WAIT, () -> rtsp.count("RECORD") == 2 && rtsp.rtpPackets.get() > before);
        assertThat(rtsp.connections.get()).isEqualTo(2);
        // The path was added again (CONFLICT: reused) and is removed only when the stream ends.
        assertThat(server.calls).containsOnly("add " + PathNames.of(GB) + " publisher");
        assertThat(server.paths).containsExactly(PathNames.of(GB));
    }

    @Test
    void withoutStreamingServerNothingIsPublishedUntilOneAppears() throws Exception {
        start(Map.of(), false);
        startStream(GB, "gb28181");
        keyframe(GB);
        assertThat(service.publisher(GB)).isEmpty();
        assertThatThrownBy(() -> preview().preview(GB.value())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(503));

        service.bindStreamingServer(server);
        assertThat(service.publisher(GB)).isPresent();
        keyframe(GB);
        Await.until("publishing", WAIT, () -> state(GB) == Publisher.State.PUBLISHING);
        assertThat(preview().preview(GB.value()).published()).isTrue();

        service.unbindStreamingServer(server);
        assertThat(service.publisher(GB)).isEmpty();
        Await.until("path removed", WAIT, () -> server.calls.contains("delete " + PathNames.of(GB)));
    }

    @Test
    void onlyConfiguredProtocolsArePublishedAndDisablingRemovesPaths() throws Exception {
        start(Map.of(), true);
        startStream(GB, "gb28181");
        startStream(RTSP, "rtsp");
        keyframe(GB);
        keyframe(RTSP);
        Await.until("publishing", WAIT, () -> state(GB) == Publisher.State.PUBLISHING);
        assertThat(service.publisher(RTSP)).isEmpty();
        // The media core is asked for the configured protocols only: other streams' samples never reach us.
        assertThat(registry.filter.test(GB)).isTrue();
        assertThat(registry.filter.test(RTSP)).isFalse();
        assertThatThrownBy(() -> preview().preview(RTSP.value())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> preview().preview("gb28181/unknown/x")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> preview().preview("nocamera")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));

        Map<String, Object> both = new HashMap<>(Map.of("protocols", new String[] {"gb28181", "rtsp"}));
        service.modified(Configs.of(RtspPublishService.Config.class, both));
        assertThat(registry.filter.test(RTSP)).as("resubscribed with the new protocols").isTrue();
        assertThat(registry.closed).isEqualTo(1);
        assertThat(service.publisher(RTSP)).isPresent();
        keyframe(RTSP);
        Await.until("rtsp stream publishing", WAIT, () -> state(RTSP) == Publisher.State.PUBLISHING);

        both.put("enabled", false);
        service.modified(Configs.of(RtspPublishService.Config.class, both));
        assertThat(registry.closed).isEqualTo(2);
        Await.until("paths removed", WAIT, () -> server.paths.isEmpty() && rtsp.count("TEARDOWN") == 2);
        assertThat(service.publisher(GB)).isEmpty();

        both.put("enabled", true);
        service.modified(Configs.of(RtspPublishService.Config.class, both));
        assertThat(registry.subscriptions).isEqualTo(3);
    }
}
