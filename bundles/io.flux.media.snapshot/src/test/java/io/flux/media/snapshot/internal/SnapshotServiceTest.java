package io.flux.media.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotProvider;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

class SnapshotServiceTest {

    final FakeRegistry registry = new FakeRegistry();

    @Test
    void defaultsMatchTheDocumentedConfiguration() {
        SnapshotEngine.Settings s = SnapshotService.settings(Configs.defaults(SnapshotService.Config.class));
        assertThat(s.maxAge()).isEqualTo(Duration.ofMillis(2000));
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(s.timeoutMax()).isEqualTo(Duration.ofMillis(30000));
        assertThat(s.decodeConcurrency()).isEqualTo(2);
        assertThat(s.cacheTtl()).isEqualTo(Duration.ofMillis(10000));
        assertThat(s.cacheMaxEntries()).isEqualTo(256);
        assertThat(s.overlayText()).isEmpty();
        assertThat(s.maxDimension()).isEqualTo(7680);
    }

    @Test
    void hotFieldsApplyOnModified() {
        SnapshotService service = new SnapshotService(registry, Configs.defaults(SnapshotService.Config.class));
        service.modified(Configs.of(SnapshotService.Config.class, Map.of("decode_concurrency", 5,
                "cache_ttl_ms", 100L, "overlay_text", "cam {stream_id}")));
        assertThat(service.settings().decodeConcurrency()).isEqualTo(5);
        assertThat(service.engine().availableSlots()).isEqualTo(5);
        assertThat(service.settings().cacheTtl()).isEqualTo(Duration.ofMillis(100));
        assertThat(service.settings().overlayText()).isEqualTo("cam {stream_id}");
        service.deactivate();
    }

    @Test
    void providersWithAnUnknownModeAreIgnoredAndUnbindingWorksByIdentity() {
        SnapshotService service = new SnapshotService(registry, Configs.defaults(SnapshotService.Config.class),
                new MutableClock(Instant.EPOCH));
        FakeProvider odd = new FakeProvider(SnapshotMode.KEYFRAME);
        service.bindProvider(odd, Map.of(SnapshotProvider.MODE, "thumbnail", "service.id", 1L));
        assertThat(service.engine().providers().best(SnapshotMode.KEYFRAME)).isNull();

        FakeProvider keyframe = new FakeProvider(SnapshotMode.KEYFRAME);
        service.bindProvider(keyframe, keyframe.properties(2));
        assertThat(service.engine().providers().best(SnapshotMode.KEYFRAME)).isSameAs(keyframe);
        service.unbindProvider(keyframe, keyframe.properties(2));
        assertThat(service.engine().providers().best(SnapshotMode.KEYFRAME)).isNull();
        service.deactivate();
    }

    @Test
    void aProviderWithoutTheModePropertyIsKeyedByItsOwnMode() {
        SnapshotService service = new SnapshotService(registry, Configs.defaults(SnapshotService.Config.class));
        FakeProvider decode = new FakeProvider(SnapshotMode.DECODE);
        service.bindProvider(decode, Map.of("service.id", 3L));
        assertThat(service.engine().providers().best(SnapshotMode.DECODE)).isSameAs(decode);
        service.deactivate();
    }

    @Test
    void metricsAreUnregisteredWhenTheServiceStops() {
        FakeMetricsRegistry recorded = new FakeMetricsRegistry();
        SnapshotService service = new SnapshotService(registry, Configs.defaults(SnapshotService.Config.class));
        service.bindMetrics(recorded);
        service.rejected("bad_request");
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "bad_request")).isEqualTo(1);
        service.deactivate();
        assertThat(recorded.registered(SnapshotMetrics.ERRORS)).isFalse();
        assertThat(recorded.has(SnapshotMetrics.ERRORS, "bad_request")).isFalse();
    }
}
