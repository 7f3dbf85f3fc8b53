package io.flux.media.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotRequest;
import io.flux.media.api.stream.StreamId;
import io.flux.media.snapshot.internal.SnapshotEngine.Query;
import io.flux.media.snapshot.internal.SnapshotEngine.Result;
import io.flux.media.snapshot.internal.SnapshotFailure.Reason;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

class SnapshotEngineTest {

    static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    final MutableClock clock = new MutableClock(T0);
    final FakeRegistry registry = new FakeRegistry();
    final FakeMetricsRegistry recorded = new FakeMetricsRegistry();
    final SnapshotMetrics metrics = new SnapshotMetrics();
    final FakeProvider keyframe = new FakeProvider(SnapshotMode.KEYFRAME);
    final FakeProvider decode = new FakeProvider(SnapshotMode.DECODE);
    final ExecutorService pool = Executors.newCachedThreadPool();
    SnapshotEngine engine;
    StreamId cam;

    @BeforeEach
    void setUp() {
        metrics.bind(recorded);
        engine = new SnapshotEngine(registry, clock, settings(Map.of()), metrics);
        engine.providers().add(keyframe, keyframe.properties(1));
        engine.providers().add(decode, decode.properties(2));
        cam = registry.live("rtsp/cam-1", T0.minusMillis(500), T0.minusMillis(40), 5);
    }

    @AfterEach
    void tearDown() {
        keyframe.gate.countDown();
        decode.gate.countDown();
        pool.shutdownNow();
    }

    static SnapshotEngine.Settings settings(Map<String, Object> overrides) {
        return SnapshotService.settings(Configs.of(SnapshotService.Config.class, overrides));
    }

    static Query query(StreamId id, SnapshotMode mode) {
        return new Query(id, mode, null, null, 0, 0);
    }

    @Test
    void keyframeModeDecodesOnlyTheKeyframe() {
        Result r = engine.take(query(cam, SnapshotMode.KEYFRAME));

        assertThat(keyframe.calls).hasValue(1);
        SnapshotRequest sent = keyframe.requests.get(0);
        assertThat(sent.frames()).hasSize(1);
        assertThat(sent.frames().get(0).keyframe()).isTrue();
        assertThat(sent.stream()).isEqualTo(cam);
        assertThat(r.snapshot().mode()).isEqualTo(SnapshotMode.KEYFRAME);
        assertThat(r.snapshot().capturedAt()).isEqualTo(T0.minusMillis(500));
        assertThat(r.age()).isEqualTo(Duration.ofMillis(500));
        assertThat(r.cacheHit()).isFalse();
        assertThat(decode.calls).hasValue(0);
    }

    @Test
    void decodeModeDecodesTheWholeGopAtTheRequestedSize() {
        Result r = engine.take(new Query(cam, SnapshotMode.DECODE, null, null, 160, 0));

        SnapshotRequest sent = decode.requests.get(0);
        assertThat(sent.frames()).hasSize(6);
        assertThat(sent.width()).isEqualTo(160);
        assertThat(sent.height()).isZero();
        assertThat(sent.overlayText()).isEmpty();
        assertThat(sent.timeout()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(5000));
        assertThat(r.snapshot().mode()).isEqualTo(SnapshotMode.DECODE);
        assertThat(r.snapshot().capturedAt()).isEqualTo(T0.minusMillis(40));
        assertThat(r.snapshot().width()).isEqualTo(160);
    }

    @Test
    void autoServesAFreshCachedSnapshotThenAFreshKeyframeThenDecodes() {
        Result first = engine.take(query(cam, SnapshotMode.AUTO));
        assertThat(first.snapshot().mode()).isEqualTo(SnapshotMode.KEYFRAME);
        assertThat(first.cacheHit()).isFalse();

        Result second = engine.take(query(cam, SnapshotMode.AUTO));
        assertThat(second.cacheHit()).isTrue();
        assertThat(second.snapshot()).isSameAs(first.snapshot());
        assertThat(keyframe.calls).hasValue(1);

        // Cached picture and keyframe are now 2.1 s old, past the default max age of 2 s: decode.
        clock.advance(Duration.ofMillis(1600));
        Result third = engine.take(query(cam, SnapshotMode.AUTO));
        assertThat(third.snapshot().mode()).isEqualTo(SnapshotMode.DECODE);
        assertThat(third.cacheHit()).isFalse();
        assertThat(decode.calls).hasValue(1);

        // A request's own max_age_ms overrides the default.
        Result lenient = engine.take(new Query(cam, SnapshotMode.AUTO, Duration.ofSeconds(30), null, 0, 0));
        assertThat(lenient.cacheHit()).isTrue();
        assertThat(lenient.snapshot().mode()).isEqualTo(SnapshotMode.DECODE);
    }

    @Test
    void cacheEntriesExpireAfterTheirTtl() {
        engine.update(settings(Map.of("cache_ttl_ms", 1000L, "max_age_ms", 60_000L)));
        StreamId fresh = registry.live("rtsp/cam-2", T0, T0, 0);
        engine.take(query(fresh, SnapshotMode.AUTO));

        clock.advance(Duration.ofMillis(900));
        assertThat(engine.take(query(fresh, SnapshotMode.AUTO)).cacheHit()).isTrue();

        clock.advance(Duration.ofMillis(200));
        Result r = engine.take(query(fresh, SnapshotMode.AUTO));
        assertThat(r.cacheHit()).isFalse();
        assertThat(keyframe.calls).hasValue(2);
    }

    @Test
    void explicitModesNeverAnswerFromTheCache() {
        engine.take(query(cam, SnapshotMode.KEYFRAME));
        engine.take(query(cam, SnapshotMode.KEYFRAME));
        engine.take(query(cam, SnapshotMode.DECODE));
        engine.take(query(cam, SnapshotMode.DECODE));
        assertThat(keyframe.calls).hasValue(2);
        assertThat(decode.calls).hasValue(2);
    }

    @Test
    void withoutTheDecodeProviderAutoFallsBackToKeyframeAndDecodeAnswers503() {
        clock.advance(Duration.ofSeconds(5));
        assertThat(engine.take(query(cam, SnapshotMode.AUTO)).snapshot().mode()).isEqualTo(SnapshotMode.DECODE);

        engine.providers().remove(decode);
        engine.cache().clear();
        assertThat(engine.take(query(cam, SnapshotMode.AUTO)).snapshot().mode()).isEqualTo(SnapshotMode.KEYFRAME);
        assertThatThrownBy(() -> engine.take(query(cam, SnapshotMode.DECODE)))
                .isInstanceOfSatisfying(SnapshotFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(Reason.PROVIDER_UNAVAILABLE))
                .hasMessage("decode snapshot provider not available (bundle stopped?)");

        // The bundle comes back: decode works again with no restart.
        engine.providers().add(decode, decode.properties(3));
        assertThat(engine.take(query(cam, SnapshotMode.DECODE)).snapshot().mode()).isEqualTo(SnapshotMode.DECODE);
    }

    @Test
    void keyframeModeUsesTheDecodeProviderOnTheKeyframeWhenItIsTheOnlyOne() {
        engine.providers().remove(keyframe);
        Result r = engine.take(query(cam, SnapshotMode.KEYFRAME));
        assertThat(r.snapshot().mode()).isEqualTo(SnapshotMode.KEYFRAME);
        assertThat(decode.requests.get(0).frames()).hasSize(1);
        // A fresh keyframe in auto mode with only the decode provider: decode it is.
        engine.cache().clear();
        assertThat(engine.take(query(cam, SnapshotMode.AUTO)).snapshot().mode()).isEqualTo(SnapshotMode.DECODE);
    }

    @Test
    void withNoProviderEveryModeAnswers503() {
        engine.providers().remove(keyframe);
        engine.providers().remove(decode);
        for (SnapshotMode mode : SnapshotMode.values()) {
            assertThatThrownBy(() -> engine.take(query(cam, mode)))
                    .isInstanceOfSatisfying(SnapshotFailure.class,
                            f -> assertThat(f.reason()).isEqualTo(Reason.PROVIDER_UNAVAILABLE));
        }
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "provider_unavailable")).isEqualTo(3);
    }

    @Test
    void unknownStreamsAndStreamsWithoutKeyframeAreTold() {
        assertThatThrownBy(() -> engine.take(query(StreamId.of("rtsp/nope"), SnapshotMode.AUTO)))
                .isInstanceOfSatisfying(SnapshotFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(Reason.UNKNOWN_STREAM))
                .hasMessageContaining("unknown stream 'rtsp/nope'");
        StreamId starting = registry.starting("rtsp/starting");
        assertThatThrownBy(() -> engine.take(query(starting, SnapshotMode.KEYFRAME)))
                .isInstanceOfSatisfying(SnapshotFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(Reason.NO_KEYFRAME))
                .hasMessageContaining("no keyframe yet");
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "unknown_stream")).isEqualTo(1);
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "no_keyframe")).isEqualTo(1);
    }

    @Test
    void concurrentRequestsForOneStreamShareOneProviderCall() throws Exception {
        keyframe.behaviour = FakeProvider.Behaviour.BLOCK;
        List<Future<Result>> results = new ArrayList<>();
        results.add(pool.submit(() -> engine.take(query(cam, SnapshotMode.KEYFRAME))));
        Await.until("the first request reaches the provider", () -> keyframe.calls.get() == 1);
        for (int i = 0; i < 4; i++) {
            SnapshotMode mode = i % 2 == 0 ? SnapshotMode.KEYFRAME : SnapshotMode.AUTO;
            results.add(pool.submit(() -> engine.take(new Query(cam, mode, Duration.ZERO, null, 0, 0))));
        }
        Await.until("four requests join the call in flight", () -> engine.sharedJoins() == 4);

        keyframe.gate.countDown();
        byte[] jpeg = results.get(0).get(10, TimeUnit.SECONDS).snapshot().jpeg();
        for (Future<Result> f : results) {
            assertThat(f.get(10, TimeUnit.SECONDS).snapshot().jpeg()).isSameAs(jpeg);
        }
        assertThat(keyframe.calls).hasValue(1);
        assertThat(recorded.value(SnapshotMetrics.REQUESTS, "keyframe", "false")).isEqualTo(5);
    }

    @Test
    void aDifferentPictureOfTheSameStreamWaitsForTheCallInProgress() throws Exception {
        keyframe.behaviour = FakeProvider.Behaviour.BLOCK;
        Future<Result> first = pool.submit(() -> engine.take(query(cam, SnapshotMode.KEYFRAME)));
        Await.until("the first request reaches the provider", () -> keyframe.calls.get() == 1);

        // Another size of the same stream may not start a second decode while the first runs.
        assertThatThrownBy(() -> engine.take(new Query(cam, SnapshotMode.KEYFRAME, null, Duration.ofMillis(200), 160,
                120)))
                .isInstanceOfSatisfying(SnapshotFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("another snapshot of the stream was in progress");
        assertThat(keyframe.calls).hasValue(1);

        Future<Result> second = pool.submit(() -> engine.take(new Query(cam, SnapshotMode.KEYFRAME, null, null, 160,
                120)));
        keyframe.gate.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).snapshot().width()).isEqualTo(320);
        assertThat(second.get(10, TimeUnit.SECONDS).snapshot().width()).isEqualTo(160);
        assertThat(keyframe.calls).hasValue(2);
    }

    @Test
    void theGlobalLimitQueuesCallsAndGrowsLive() throws Exception {
        engine.update(settings(Map.of("decode_concurrency", 1)));
        StreamId other = registry.live("rtsp/cam-2", T0, T0, 0);
        keyframe.behaviour = FakeProvider.Behaviour.BLOCK;
        Future<Result> first = pool.submit(() -> engine.take(query(cam, SnapshotMode.KEYFRAME)));
        Await.until("the first call holds the only slot", () -> keyframe.calls.get() == 1);

        assertThatThrownBy(() -> engine.take(new Query(other, SnapshotMode.KEYFRAME, null, Duration.ofMillis(200), 0,
                0)))
                .isInstanceOfSatisfying(SnapshotFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("no decode slot free");
        assertThat(keyframe.calls).hasValue(1);

        engine.update(settings(Map.of("decode_concurrency", 2)));
        Future<Result> second = pool.submit(() -> engine.take(query(other, SnapshotMode.KEYFRAME)));
        Await.until("the second call gets the new slot", () -> keyframe.calls.get() == 2);

        keyframe.gate.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        Await.until("both slots are back", () -> engine.availableSlots() == 2);
    }

    @Test
    void aProviderThatNeverAnswersTimesOutWith504AndGivesItsSlotBack() {
        engine.update(settings(Map.of("decode_concurrency", 1)));
        keyframe.behaviour = FakeProvider.Behaviour.NEVER;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> engine.take(new Query(cam, SnapshotMode.KEYFRAME, null, Duration.ofMillis(150), 0,
                0)))
                .isInstanceOfSatisfying(SnapshotFailure.class, f -> assertThat(f.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("not ready within 150 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        Await.until("the abandoned call returns its slot", () -> engine.availableSlots() == 1);
        assertThat(keyframe.pending.get(0).isCancelled()).isTrue();
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "timeout")).isEqualTo(1);

        keyframe.behaviour = FakeProvider.Behaviour.IMMEDIATE;
        assertThat(engine.take(query(cam, SnapshotMode.KEYFRAME)).snapshot()).isNotNull();
    }

    @Test
    void theRequestedTimeoutIsCappedByTheConfiguredMaximum() {
        engine.update(settings(Map.of("timeout_max_ms", 200L)));
        keyframe.behaviour = FakeProvider.Behaviour.NEVER;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> engine.take(new Query(cam, SnapshotMode.KEYFRAME, null, Duration.ofMinutes(10), 0,
                0)))
                .isInstanceOfSatisfying(SnapshotFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(Reason.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(keyframe.requests.get(0).timeout()).isLessThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void providerFailuresCarryTheirCause() {
        keyframe.behaviour = FakeProvider.Behaviour.FAIL;
        assertThatThrownBy(() -> engine.take(query(cam, SnapshotMode.KEYFRAME)))
                .isInstanceOfSatisfying(SnapshotFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(Reason.PROVIDER_FAILED))
                .hasMessage("keyframe snapshot provider failed: corrupt slice data");
        keyframe.behaviour = FakeProvider.Behaviour.THROW;
        assertThatThrownBy(() -> engine.take(query(cam, SnapshotMode.KEYFRAME)))
                .hasMessage("keyframe snapshot provider failed: decoder not loaded");
        Await.until("slots are back", () -> engine.availableSlots() == 2);
        assertThat(recorded.value(SnapshotMetrics.ERRORS, "provider_failed")).isEqualTo(2);
    }

    @Test
    void aProviderThatIsStoppingIsUnavailableNotBroken() {
        keyframe.behaviour = FakeProvider.Behaviour.STOPPING;
        assertThatThrownBy(() -> engine.take(query(cam, SnapshotMode.KEYFRAME)))
                .isInstanceOfSatisfying(SnapshotFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(Reason.PROVIDER_UNAVAILABLE))
                .hasMessageContaining("not available");
        Await.until("slots are back", () -> engine.availableSlots() == 2);
    }

    @Test
    void overlayTextFillsInStreamAndCaptureTime() {
        engine.update(settings(Map.of("overlay_text", "{stream_id} @ {time}")));
        engine.take(query(cam, SnapshotMode.KEYFRAME));
        assertThat(keyframe.requests.get(0).overlayText()).isEqualTo("rtsp/cam-1 @ 2026-01-02 03:04:04");
    }

    @Test
    void metricsCountModesHitsAndLatency() {
        engine.take(query(cam, SnapshotMode.AUTO));
        engine.take(query(cam, SnapshotMode.AUTO));
        engine.take(query(cam, SnapshotMode.DECODE));
        assertThat(recorded.value(SnapshotMetrics.REQUESTS, "keyframe", "false")).isEqualTo(1);
        assertThat(recorded.value(SnapshotMetrics.REQUESTS, "keyframe", "true")).isEqualTo(1);
        assertThat(recorded.value(SnapshotMetrics.REQUESTS, "decode", "false")).isEqualTo(1);
        assertThat(recorded.value(SnapshotMetrics.LATENCY + "_count", "keyframe")).isEqualTo(1);
        assertThat(recorded.value(SnapshotMetrics.LATENCY + "_count", "cache")).isEqualTo(1);
        assertThat(recorded.value(SnapshotMetrics.LATENCY + "_count", "decode")).isEqualTo(1);
    }

    @Test
    void theHighestRankedProviderOfAModeIsUsed() {
        FakeProvider better = new FakeProvider(SnapshotMode.KEYFRAME);
        Map<String, Object> props = new HashMap<>(better.properties(9));
        props.put("service.ranking", 10);
        engine.providers().add(better, props);
        engine.take(query(cam, SnapshotMode.KEYFRAME));
        assertThat(better.calls).hasValue(1);
        assertThat(keyframe.calls).hasValue(0);
        engine.providers().remove(better);
        engine.take(query(cam, SnapshotMode.KEYFRAME));
        assertThat(keyframe.calls).hasValue(1);
    }
}
