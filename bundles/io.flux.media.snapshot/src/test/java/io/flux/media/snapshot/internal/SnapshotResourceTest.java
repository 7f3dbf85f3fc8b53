package io.flux.media.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

class SnapshotResourceTest {

    static final Instant T0 = Instant.parse("2026-03-04T05:06:07Z");

    final MutableClock clock = new MutableClock(T0);
    final FakeRegistry registry = new FakeRegistry();
    final FakeProvider keyframe = new FakeProvider(SnapshotMode.KEYFRAME);
    final FakeProvider decode = new FakeProvider(SnapshotMode.DECODE);
    final FakeMetricsRegistry recorded = new FakeMetricsRegistry();
    SnapshotService service;
    SnapshotResource resource;

    @BeforeEach
    void setUp() {
        service = new SnapshotService(registry, Configs.defaults(SnapshotService.Config.class), clock);
        service.bindMetrics(recorded);
        service.bindProvider(keyframe, keyframe.properties(1));
        service.bindProvider(decode, decode.properties(2));
        registry.live("gb28181/34020000001320000001/34020000001310000001", T0.minusMillis(300), T0.minusMillis(20),
                3);
        resource = new SnapshotResource(service);
    }

    @AfterEach
    void tearDown() {
        service.deactivate();
    }

    @Test
    void answersTheJpegWithHeadersSayingWhereItCameFrom() {
        SnapshotResource.Answer a = resource.answer("gb28181/34020000001320000001/34020000001310000001", null, null,
                null, null, null);
        assertThat(new String(a.jpeg())).isEqualTo("KEYFRAME#1");
        assertThat(a.headers()).containsEntry("X-Snapshot-Mode", "keyframe")
                .containsEntry("X-Snapshot-Cache", "miss")
                .containsEntry("X-Snapshot-Age-Ms", "300")
                .containsEntry("X-Snapshot-Captured-At", "2026-03-04T05:06:06.700Z")
                .containsEntry("X-Snapshot-Width", "320")
                .containsEntry("Cache-Control", "no-store");

        SnapshotResource.Answer again = resource.answer("gb28181/34020000001320000001/34020000001310000001", "auto",
                null, null, null, null);
        assertThat(again.headers()).containsEntry("X-Snapshot-Cache", "hit").containsEntry("X-Snapshot-Mode",
                "keyframe");

        SnapshotResource.Answer decoded = resource.answer("gb28181/34020000001320000001/34020000001310000001",
                "decode", null, null, "160", "120");
        assertThat(decoded.headers()).containsEntry("X-Snapshot-Mode", "decode").containsEntry("X-Snapshot-Age-Ms",
                "20").containsEntry("X-Snapshot-Width", "160");
    }

    @Test
    void failuresBecomeApiErrorsWithTheRightStatus() {
        assertStatus(() -> resource.answer("rtsp/..", null, null, null, null, null), 400, "invalid stream id");
        assertStatus(() -> resource.answer("rtsp/cam", null, null, null, "-5", null), 400, "'width'");
        assertStatus(() -> resource.answer("rtsp/unknown", null, null, null, null, null), 404, "unknown stream");
        registry.starting("rtsp/starting");
        assertStatus(() -> resource.answer("rtsp/starting", null, null, null, null, null), 409, "no keyframe yet");
        keyframe.behaviour = FakeProvider.Behaviour.FAIL;
        assertStatus(() -> resource.answer("gb28181/34020000001320000001/34020000001310000001", "keyframe", null,
                null, null, null), 502, "corrupt slice data");
        keyframe.behaviour = FakeProvider.Behaviour.NEVER;
        assertStatus(() -> resource.answer("gb28181/34020000001320000001/34020000001310000001", "keyframe", null,
                "100", null, null), 504, "not ready within 100 ms");
        service.unbindProvider(decode, decode.properties(2));
        assertStatus(() -> resource.answer("gb28181/34020000001320000001/34020000001310000001", "decode", null,
                null, null, null), 503, "decode snapshot provider not available (bundle stopped?)");
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "bad_request")).isEqualTo(2);
    }

    @Test
    void anOversizedPictureIsRefusedAgainstTheLiveLimit() {
        service.modified(Configs.of(SnapshotService.Config.class, Map.of("max_dimension", 1920)));
        assertStatus(() -> resource.answer("gb28181/34020000001320000001/34020000001310000001", null, null, null,
                "3840", null), 400, "between 0 and 1920");
    }

    private static void assertStatus(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status,
            String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(status)).hasMessageContaining(message);
    }
}
