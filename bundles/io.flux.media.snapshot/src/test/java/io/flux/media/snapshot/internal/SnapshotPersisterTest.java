package io.flux.media.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.stream.StreamId;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

class SnapshotPersisterTest {

    static final Instant T0 = Instant.parse("2026-05-06T23:59:59.250Z");

    final MutableClock clock = new MutableClock(T0);
    final FakeRegistry registry = new FakeRegistry();
    final FakeProvider keyframe = new FakeProvider(SnapshotMode.KEYFRAME);
    final MemoryStorage storage = new MemoryStorage();
    final FakeMetricsRegistry recorded = new FakeMetricsRegistry();
    SnapshotService service;

    @BeforeEach
    void setUp() {
        service = new SnapshotService(registry, Configs.defaults(SnapshotService.Config.class), clock);
        service.bindMetrics(recorded);
        service.bindProvider(keyframe, keyframe.properties(1));
        registry.live("rtsp/cam-1", T0, T0, 0);
        registry.live("rtsp/cam-2", T0.minusMillis(250), T0, 0);
        registry.starting("rtsp/not-yet");
    }

    @AfterEach
    void tearDown() {
        service.deactivate();
    }

    private void configure(Map<String, Object> overrides) {
        service.modified(Configs.of(SnapshotService.Config.class, overrides));
    }

    @Test
    void writesTheLatestSnapshotOfListedStreamsUnderTheirSnapshotsFolder() {
        service.bindStorage(storage);
        configure(Map.of("persist_streams", new String[] { "rtsp/cam-1", "rtsp/not-yet", "../bad" },
                "persist_interval_s", 3600));
        assertThat(service.persister().currentPlan().streams()).extracting(StreamId::value)
                .containsExactly("rtsp/cam-1", "rtsp/not-yet");

        assertThat(service.persister().persistOnce()).containsExactly("rtsp/cam-1/snapshots/20260506/"
                + T0.toEpochMilli() + ".jpg");
        assertThat(storage.objects.get("rtsp/cam-1/snapshots/20260506/" + T0.toEpochMilli() + ".jpg"))
                .isEqualTo("KEYFRAME#1".getBytes());

        // Nothing new (the stream stalled): the same picture is not written twice.
        assertThat(service.persister().persistOnce()).isEmpty();

        // A new keyframe past midnight UTC lands in the next day's folder.
        Instant next = T0.plusSeconds(3);
        registry.live("rtsp/cam-1", next, next, 0);
        clock.advance(Duration.ofSeconds(3));
        assertThat(service.persister().persistOnce()).containsExactly("rtsp/cam-1/snapshots/20260507/"
                + next.toEpochMilli() + ".jpg");
    }

    @Test
    void aStarPersistsEveryLiveStream() {
        service.bindStorage(storage);
        configure(Map.of("persist_streams", new String[] { "*" }, "persist_interval_s", 3600));
        assertThat(service.persister().persistOnce()).containsExactlyInAnyOrder(
                "rtsp/cam-1/snapshots/20260506/" + T0.toEpochMilli() + ".jpg",
                "rtsp/cam-2/snapshots/20260506/" + T0.minusMillis(250).toEpochMilli() + ".jpg");
    }

    @Test
    void withoutStorageOrWithFailingStorageNothingIsWrittenAndFailuresAreCounted() {
        configure(Map.of("persist_streams", new String[] { "rtsp/cam-1" }, "persist_interval_s", 3600));
        assertThat(service.persister().persistOnce()).isEmpty();

        service.bindStorage(storage);
        storage.failWrites = true;
        assertThat(service.persister().persistOnce()).isEmpty();
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "persist_failed")).isEqualTo(1);

        storage.failWrites = false;
        assertThat(service.persister().persistOnce()).hasSize(1);
        service.unbindStorage(storage);
        assertThat(service.persister().persistOnce()).isEmpty();
    }

    @Test
    void theScheduleRunsByItselfAndStopsWhenTheListEmpties() {
        service.bindStorage(storage);
        configure(Map.of("persist_streams", new String[] { "rtsp/cam-1" }, "persist_interval_s", 1));
        Await.until("the scheduled round writes a snapshot", () -> !storage.objects.isEmpty());

        configure(Map.of());
        assertThat(service.persister().currentPlan().active()).isFalse();
    }
}
