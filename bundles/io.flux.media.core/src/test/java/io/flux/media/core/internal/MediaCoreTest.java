package io.flux.media.core.internal;

import static io.flux.media.core.internal.Samples.FRAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.ingest.MediaSink.StreamHandle;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.Gop;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry.Subscription;
import io.flux.media.api.stream.StreamState;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

class MediaCoreTest {

    private static final StreamId CAM = StreamId.of("test/cam-1");
    private static final StreamId OTHER = StreamId.of("test/cam-2");

    private final TestClock clock = new TestClock(1_700_000_000_000L);
    private final FakeMetricsRegistry metrics = new FakeMetricsRegistry();
    private final List<CountDownLatch> latches = new ArrayList<>();
    private MediaCore core = core(Map.of());

    private MediaCore core(Map<String, Object> config) {
        MediaCore c = new MediaCore(Configs.of(MediaCore.Config.class, config), clock, false);
        c.bindMetrics(metrics);
        return c;
    }

    private CountDownLatch latch() {
        CountDownLatch l = new CountDownLatch(1);
        latches.add(l);
        return l;
    }

    @AfterEach
    void tearDown() {
        latches.forEach(CountDownLatch::countDown);
        core.deactivate();
    }

    /** Pushes GOP {@code g}: a keyframe (without parameter sets after the first GOP) and frames 1..n-1. */
    private void pushGop(StreamHandle h, int g, int n, int size) {
        for (int f = 0; f < n; f++) {
            long pts = ((long) g * n + f) * FRAME;
            h.push(f == 0 ? Samples.keyframe(pts, g == 0, size) : Samples.frame(pts, size));
            clock.advance(40);
        }
    }

    @Test
    void nothingReachesSubscribersBeforeTheFirstKeyframe() {
        Recorder rec = new Recorder();
        core.subscribe("rec", id -> true, 0, rec);
        StreamHandle h = core.open(CAM, "test");

        h.push(Samples.frame(0, 100));
        h.push(Samples.frame(FRAME, 100));
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.STARTING);
        h.push(Samples.keyframe(2 * FRAME, true, 500));
        h.push(Samples.frame(3 * FRAME, 100));

        Await.until("two samples", () -> rec.sampleCount() == 2);
        assertThat(rec.kinds()).isEqualTo("start K2 v3");
        assertThat(rec.events().get(0).info().state()).isEqualTo(StreamState.STARTING);
        StreamInfo info = core.stream(CAM).orElseThrow();
        assertThat(info.state()).isEqualTo(StreamState.LIVE);
        assertThat(info.samples()).isEqualTo(2);
        assertThat(info.video().width()).isEqualTo(320);
        core.periodicCheck();
        assertThat(metrics.value(MediaCore.Metrics.SAMPLES_SKIPPED, "test", "before_keyframe")).isEqualTo(2);
        assertThat(metrics.value(MediaCore.Metrics.SAMPLES, "test", "video")).isEqualTo(2);
    }

    @Test
    void stateFollowsTheStreamsLife() {
        StreamHandle h = core.open(CAM, "test");
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.STARTING);

        pushGop(h, 0, 5, 200);
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.LIVE);

        // The last sample arrived 40 ms ago.
        clock.advance(4960);
        core.periodicCheck();
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.LIVE);
        clock.advance(1);
        core.periodicCheck();
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.STALLED);
        assertThat(metrics.value(MediaCore.Metrics.STREAMS, "test", "stalled")).isEqualTo(1);

        h.push(Samples.frame(100 * FRAME, 200));
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.LIVE);

        h.close();
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.ENDED);
        assertThat(core.currentGop(CAM)).isEmpty();
        h.push(Samples.frame(101 * FRAME, 200));
        assertThat(core.stream(CAM).orElseThrow().samples()).isEqualTo(6);

        clock.advance(59_999);
        core.periodicCheck();
        assertThat(core.streams()).extracting(StreamInfo::id).containsExactly(CAM);
        clock.advance(1);
        core.periodicCheck();
        assertThat(core.streams()).isEmpty();
        assertThat(core.stream(CAM)).isEmpty();
        assertThat(metrics.value(MediaCore.Metrics.STREAMS, "test", "ended")).isZero();
    }

    @Test
    void stallTimeoutIsHotUpdatable() {
        StreamHandle h = core.open(CAM, "test");
        pushGop(h, 0, 2, 100);

        core.modified(Configs.of(MediaCore.Config.class, Map.of("stall_timeout_ms", 1000)));
        clock.advance(1001);
        core.periodicCheck();

        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.STALLED);
    }

    @Test
    void startingStreamWithoutSamplesStalls() {
        core.open(CAM, "test");
        clock.advance(5001);
        core.periodicCheck();

        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.STALLED);
    }

    @Test
    void frameRateAndBitrateAreMeasured() {
        StreamHandle h = core.open(CAM, "test");
        long bytes = 0;
        for (int i = 0; i < 250; i++) {
            VideoSample s = i % 25 == 0 ? Samples.keyframe(i * FRAME, true, 4000) : Samples.frame(i * FRAME, 2000);
            bytes += s.payload().remaining();
            h.push(s);
            clock.advance(40);
        }
        clock.advance(-40);

        StreamInfo info = core.stream(CAM).orElseThrow();
        assertThat(info.frameRate()).isCloseTo(25.0, within(0.5));
        long expectedBps = bytes * 8 / 10;
        assertThat(info.bitrateBps()).isCloseTo(expectedBps, within(expectedBps / 20));
        assertThat(info.samples()).isEqualTo(250);
        assertThat(info.lastKeyframeAt().toEpochMilli()).isEqualTo(clock.millis() - 24 * 40);
        assertThat(info.lastSampleAt().toEpochMilli()).isEqualTo(clock.millis());
        assertThat(info.startedAt().toEpochMilli()).isEqualTo(clock.millis() - 249 * 40);
    }

    @Test
    void corruptSamplesAreCountedAndSkipped() {
        Recorder rec = new Recorder();
        core.subscribe("rec", id -> true, 0, rec);
        StreamHandle h = core.open(CAM, "test");

        h.push(Samples.keyframe(0, true, 300));
        h.push(new VideoSample(Codec.H264, FRAME, FRAME, false, ByteBuffer.wrap(new byte[] {7, 7, 7, 7})));
        h.push(new VideoSample(Codec.H264, 2 * FRAME, 2 * FRAME, false,
                Samples.annexB(ByteBuffer.wrap(new byte[] {(byte) 0xC1, 0x00, 0x10}))));
        h.push(new io.flux.media.api.sample.AudioSample(Codec.AAC, 0, 48000, 2,
                ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xF1, 0})));
        h.push(Samples.frame(3 * FRAME, 100));

        Await.until("two samples", () -> rec.sampleCount() == 2);
        assertThat(rec.kinds()).isEqualTo("start K0 v3");
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.LIVE);
        assertThat(core.stream(CAM).orElseThrow().samples()).isEqualTo(2);
        core.periodicCheck();
        assertThat(metrics.value(MediaCore.Metrics.SAMPLE_ERRORS, "test", "corrupt")).isEqualTo(3);
    }

    @Test
    void keyframesReachSubscribersWithTheirParameterSets() {
        Recorder rec = new Recorder();
        core.subscribe("rec", id -> true, 0, rec);
        StreamHandle h = core.open(CAM, "test");

        pushGop(h, 0, 3, 100);
        pushGop(h, 1, 3, 100);

        Await.until("six samples", () -> rec.sampleCount() == 6);
        List<Recorder.Event> keyframes = rec.samples().stream().filter(Recorder.Event::isKeyframe).toList();
        assertThat(keyframes).hasSize(2);
        for (Recorder.Event k : keyframes) {
            assertThat(Samples.nalTypes(k.sample().payload())).containsExactly(7, 8, 5);
        }
    }

    @Test
    void gopDroppingNeverSplitsAGop() {
        CountDownLatch release = latch();
        Recorder slow = new Recorder(release);
        core.subscribe("slow", id -> true, 2, slow);
        StreamHandle h = core.open(CAM, "test");
        int gops = 10;
        int perGop = 10;

        pushGop(h, 0, perGop, 100);
        Await.until("the listener to block", slow::isBlocked);
        for (int g = 1; g < gops; g++) {
            pushGop(h, g, perGop, 100);
        }
        release.countDown();
        long lastPts = ((long) gops * perGop - 1) * FRAME;
        Await.until("the last sample", () -> !slow.samples().isEmpty()
                && slow.samples().get(slow.sampleCount() - 1).pts() == lastPts);

        List<Recorder.Event> events = slow.events();
        Map<Long, List<Integer>> framesByGop = assertWholeGops(events, perGop, false);
        int dropped = events.stream().filter(e -> e.kind().equals("dropped")).mapToInt(Recorder.Event::gops).sum();
        assertThat(dropped).isPositive();
        assertThat(framesByGop.size() + dropped).isEqualTo(gops);
        // The two newest GOPs are what the queue kept.
        assertThat(framesByGop).containsKeys(0L, 8L, 9L);
        assertThat(core.stream(CAM).orElseThrow().gopsDropped()).isEqualTo(dropped);
        core.periodicCheck();
        assertThat(metrics.value(MediaCore.Metrics.GOPS_DROPPED, "test")).isEqualTo(dropped);
    }

    @Test
    void dropEpisodeIsLoggedOnceAndSummarizedWhenTheSubscriberCatchesUp() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(CoreSubscription.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            CountDownLatch release = latch();
            Recorder slow = new Recorder(release);
            core.subscribe("slow", id -> true, 1, slow);
            StreamHandle h = core.open(CAM, "test");
            pushGop(h, 0, 5, 100);
            Await.until("the listener to block", slow::isBlocked);
            for (int g = 1; g < 6; g++) {
                pushGop(h, g, 5, 100);
            }
            core.periodicCheck();
            release.countDown();
            Await.until("the last sample", () -> slow.sampleCount() > 0
                    && slow.samples().get(slow.sampleCount() - 1).pts() == 29 * FRAME);

            clock.advance(CoreSubscription.RECOVERY_QUIET_MS);
            core.periodicCheck();
            core.periodicCheck();

            List<String> messages = logs.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage())
                    .toList();
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0)).startsWith("WARN Subscription 'slow' fell behind on stream test/cam-1");
            assertThat(messages.get(1)).startsWith("INFO Subscription 'slow' caught up on stream test/cam-1: 4 GOPs");
            assertThat(logs.list).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("stream_id",
                    CAM.value()));
        } finally {
            logger.detachAppender(logs);
            logger.setLevel(level);
        }
    }

    @Test
    void defaultQueueLimitIsHotUpdatable() {
        core.modified(Configs.of(MediaCore.Config.class, Map.of("queue_max_gops", 1)));
        CountDownLatch release = latch();
        Recorder slow = new Recorder(release);
        core.subscribe("slow", id -> true, 0, slow);
        StreamHandle h = core.open(CAM, "test");

        pushGop(h, 0, 3, 100);
        Await.until("the listener to block", slow::isBlocked);
        for (int g = 1; g < 4; g++) {
            pushGop(h, g, 3, 100);
        }
        release.countDown();
        Await.until("the last sample", () -> slow.sampleCount() > 0
                && slow.samples().get(slow.sampleCount() - 1).pts() == 11 * FRAME);

        assertThat(slow.kinds()).isEqualTo("start K0 v1 v2 dropped(2) K9 v10 v11");
    }

    @Test
    void keyframesWithoutAnyParameterSetsKeepTheStreamStarting() {
        StreamHandle h = core.open(CAM, "test");

        h.push(Samples.keyframe(0, false, 100));
        h.push(Samples.frame(FRAME, 100));
        h.push(Samples.keyframe(2 * FRAME, false, 100));

        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.STARTING);
        assertThat(core.currentGop(CAM)).isEmpty();
        core.periodicCheck();
        assertThat(metrics.value(MediaCore.Metrics.SAMPLE_ERRORS, "test", "no_parameter_sets")).isEqualTo(2);
        assertThat(metrics.value(MediaCore.Metrics.SAMPLES_SKIPPED, "test", "before_keyframe")).isEqualTo(1);

        h.push(Samples.keyframe(3 * FRAME, true, 100));
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.LIVE);
    }

    @Test
    void concurrentStreamsAndSubscribersKeepOrderAndWholeGops() throws Exception {
        int streams = 4;
        int gops = 150;
        int perGop = 10;
        Recorder fast = new Recorder();
        Recorder slow = new Recorder() {
            @Override
            public void onSample(StreamId stream, MediaSample sample) {
                super.onSample(stream, sample);
                // Slower than the producers: this one must lose GOPs.
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        };
        core.subscribe("fast", id -> true, gops + 1, fast);
        core.subscribe("slow", id -> true, 2, slow);
        core.subscribe("failing", id -> true, 1, new Recorder() {
            @Override
            public void onSample(StreamId stream, MediaSample sample) {
                throw new IllegalStateException("always");
            }
        });
        List<Thread> producers = new ArrayList<>();
        for (int n = 0; n < streams; n++) {
            StreamHandle h = core.open(StreamId.of("test", "cam-" + n), "test");
            producers.add(Thread.ofPlatform().start(() -> {
                for (int g = 0; g < gops; g++) {
                    for (int f = 0; f < perGop; f++) {
                        long pts = ((long) g * perGop + f) * FRAME;
                        h.push(f == 0 ? Samples.keyframe(pts, g == 0, 300) : Samples.frame(pts, 200));
                    }
                }
                h.close();
            }));
        }
        for (Thread t : producers) {
            t.join(30_000);
        }

        Await.until("both to see every end", () -> fast.kinds().split("end", -1).length == streams + 1
                && slow.kinds().split("end", -1).length == streams + 1);
        for (int n = 0; n < streams; n++) {
            StreamId id = StreamId.of("test", "cam-" + n);
            List<Recorder.Event> fastEvents = fast.events().stream().filter(e -> e.stream().equals(id)).toList();
            assertThat(fastEvents).filteredOn(Recorder.Event::isSample).extracting(Recorder.Event::pts)
                    .isEqualTo(java.util.stream.LongStream.range(0, (long) gops * perGop).map(i -> i * FRAME)
                            .boxed().toList());
            List<Recorder.Event> slowEvents = slow.events().stream().filter(e -> e.stream().equals(id)).toList();
            assertThat(slowEvents.get(0).kind()).isEqualTo("start");
            assertThat(slowEvents.get(slowEvents.size() - 1).kind()).isEqualTo("end");
            Map<Long, List<Integer>> delivered = assertWholeGops(slowEvents, perGop, false);
            int dropped = slowEvents.stream().filter(e -> e.kind().equals("dropped"))
                    .mapToInt(Recorder.Event::gops).sum();
            assertThat(delivered.size() + dropped).as("GOPs of %s", id).isEqualTo(gops);
        }
        assertThat(slow.events()).anyMatch(e -> e.kind().equals("dropped"));
    }

    @Test
    void byteLimitDropsWholeGopsToo() {
        core = core(Map.of("queue_max_bytes", 65536));
        CountDownLatch release = latch();
        Recorder slow = new Recorder(release);
        core.subscribe("slow", id -> true, 100, slow);
        StreamHandle h = core.open(CAM, "test");
        int perGop = 10;

        pushGop(h, 0, perGop, 1000);
        Await.until("the listener to block", slow::isBlocked);
        for (int g = 1; g < 8; g++) {
            pushGop(h, g, perGop, 3000);
        }
        release.countDown();
        long lastPts = (8L * perGop - 1) * FRAME;
        Await.until("the last sample", () -> !slow.samples().isEmpty()
                && slow.samples().get(slow.sampleCount() - 1).pts() == lastPts);

        List<Recorder.Event> events = slow.events();
        Map<Long, List<Integer>> framesByGop = assertWholeGops(events, perGop, false);
        int dropped = events.stream().filter(e -> e.kind().equals("dropped")).mapToInt(Recorder.Event::gops).sum();
        assertThat(dropped).isPositive();
        assertThat(framesByGop.size() + dropped).isEqualTo(8);
    }

    /**
     * Checks that every GOP a listener received is whole (keyframe and every following frame, in order) and that
     * each drop report is followed by a keyframe. Returns the frame positions received by GOP.
     */
    private static Map<Long, List<Integer>> assertWholeGops(List<Recorder.Event> events, int perGop,
            boolean allowCutFirst) {
        Map<Long, List<Integer>> byGop = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            Recorder.Event e = events.get(i);
            if (e.kind().equals("dropped")) {
                assertThat(events.get(i + 1).isKeyframe()).as("sample after %s at %d", e, i).isTrue();
            }
            if (e.isVideo()) {
                long index = e.pts() / FRAME;
                byGop.computeIfAbsent(index / perGop, g -> new ArrayList<>()).add((int) (index % perGop));
                assertThat(e.isKeyframe()).isEqualTo(index % perGop == 0);
            }
        }
        List<Integer> whole = java.util.stream.IntStream.range(0, perGop).boxed().toList();
        boolean first = true;
        for (Map.Entry<Long, List<Integer>> gop : byGop.entrySet()) {
            if (!(first && allowCutFirst)) {
                assertThat(gop.getValue()).as("frames of GOP %d", gop.getKey()).isEqualTo(whole);
            }
            first = false;
        }
        return byGop;
    }

    @Test
    void pushNeverBlocksOnAStuckListener() {
        CountDownLatch never = latch();
        Recorder stuck = new Recorder(never);
        Recorder fast = new Recorder();
        CoreSubscription stuckSub = (CoreSubscription) core.subscribe("stuck", id -> true, 4, stuck);
        // Room for every GOP: the fast listener must get all samples whatever the stuck one does.
        core.subscribe("fast", id -> true, 1000, fast);
        StreamHandle h = core.open(CAM, "test");

        h.push(Samples.keyframe(0, true, 200));
        Await.until("the listener to block", stuck::isBlocked);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 1; i < 10_000; i++) {
                h.push(i % 25 == 0 ? Samples.keyframe(i * FRAME, false, 200) : Samples.frame(i * FRAME, 200));
            }
        });

        // Bounded: at most 4 GOPs of 25 plus the blocked GOP's tail and the drop report.
        assertThat(stuckSub.queuedEvents()).isLessThanOrEqualTo(5 * 25 + 1);
        Await.until("the fast listener to get everything", () -> fast.sampleCount() == 10_000);
        assertThat(core.stream(CAM).orElseThrow().gopsDropped()).isGreaterThan(390);
    }

    @Test
    void throwingListenerAffectsNobodyElse() {
        MediaListener bad = new MediaListener() {
            @Override
            public void onStreamStart(StreamInfo stream) {
                throw new IllegalStateException("start");
            }

            @Override
            public void onSample(StreamId stream, MediaSample sample) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onStreamEnd(StreamId stream) {
                throw new IllegalStateException("end");
            }
        };
        core.subscribe("bad", id -> true, 0, bad);
        Recorder good = new Recorder();
        core.subscribe("good", id -> true, 0, good);
        StreamHandle h = core.open(CAM, "test");

        pushGop(h, 0, 20, 100);
        h.close();

        Await.until("the good listener to see the end", () -> good.kinds().endsWith("end"));
        assertThat(good.sampleCount()).isEqualTo(20);
        Await.until("22 listener errors counted",
                () -> metrics.value(MediaCore.Metrics.LISTENER_ERRORS, "bad") == 22);
    }

    @Test
    void closedSubscriptionGetsNothingMore() {
        Recorder closing = new Recorder();
        Recorder witness = new Recorder();
        Subscription sub = core.subscribe("closing", id -> true, 0, closing);
        core.subscribe("witness", id -> true, 0, witness);
        StreamHandle h = core.open(CAM, "test");
        pushGop(h, 0, 5, 100);
        Await.until("five samples", () -> closing.sampleCount() == 5);

        sub.close();
        sub.close();
        pushGop(h, 1, 5, 100);

        Await.until("the witness to get ten", () -> witness.sampleCount() == 10);
        assertThat(closing.sampleCount()).isEqualTo(5);
        assertThat(core.check().details()).containsEntry("subscriptions", 1);
    }

    @Test
    void listenerMayCloseItsOwnSubscription() {
        Subscription[] self = new Subscription[1];
        Recorder rec = new Recorder() {
            @Override
            public void onSample(StreamId stream, MediaSample sample) {
                super.onSample(stream, sample);
                self[0].close();
            }
        };
        self[0] = core.subscribe("self", id -> true, 0, rec);
        StreamHandle h = core.open(CAM, "test");

        pushGop(h, 0, 5, 100);

        Await.until("the subscription to go", () -> core.check().details().get("subscriptions").equals(0));
        assertThat(rec.sampleCount()).isEqualTo(1);
    }

    @Test
    void lateSubscriberHearsOfLiveStreamsAndStartsAtAKeyframe() {
        StreamHandle h = core.open(CAM, "test");
        pushGop(h, 0, 3, 100);
        core.open(OTHER, "test").close();

        Recorder late = new Recorder();
        core.subscribe("late", id -> true, 0, late);
        h.push(Samples.frame(3 * FRAME, 100));
        h.push(Samples.adts(3 * FRAME, 50));
        h.push(Samples.keyframe(4 * FRAME, false, 100));
        h.push(Samples.adts(4 * FRAME, 50));

        Await.until("two samples", () -> late.sampleCount() == 2);
        assertThat(late.kinds()).isEqualTo("start K4 a4");
        StreamInfo start = late.events().get(0).info();
        assertThat(start.id()).isEqualTo(CAM);
        assertThat(start.state()).isEqualTo(StreamState.LIVE);
        assertThat(start.video().height()).isEqualTo(240);
        assertThat(Samples.nalTypes(late.samples().get(0).sample().payload())).containsExactly(7, 8, 5);
    }

    @Test
    void filterSelectsStreams() {
        Recorder rec = new Recorder();
        core.subscribe("only-2", OTHER::equals, 0, rec);
        core.subscribe("broken", id -> {
            throw new IllegalStateException("bad filter");
        }, 0, new Recorder());
        StreamHandle one = core.open(CAM, "test");
        StreamHandle two = core.open(OTHER, "test");

        pushGop(one, 0, 2, 100);
        pushGop(two, 0, 3, 100);

        Await.until("three samples", () -> rec.sampleCount() == 3);
        assertThat(rec.events()).allMatch(e -> e.stream().equals(OTHER));
    }

    @Test
    void reopeningEndsThePreviousGeneration() {
        Recorder rec = new Recorder();
        core.subscribe("rec", id -> true, 0, rec);
        StreamHandle first = core.open(CAM, "test");
        pushGop(first, 0, 2, 100);

        StreamHandle second = core.open(CAM, "test");
        first.push(Samples.frame(2 * FRAME, 100));
        first.close();
        second.push(Samples.keyframe(10 * FRAME, true, 100));

        Await.until("three samples", () -> rec.sampleCount() == 3);
        assertThat(rec.kinds()).isEqualTo("start K0 v1 end start K10");
        assertThat(core.stream(CAM).orElseThrow().state()).isEqualTo(StreamState.LIVE);
        assertThat(core.stream(CAM).orElseThrow().samples()).isEqualTo(1);
    }

    @Test
    void currentGopHoldsTheKeyframeAndTheFramesAfterIt() {
        core = core(Map.of("gop_cache_max_bytes", 3000));
        StreamHandle h = core.open(CAM, "test");
        assertThat(core.currentGop(CAM)).isEmpty();
        h.push(Samples.frame(0, 100));
        assertThat(core.currentGop(CAM)).isEmpty();

        pushGop(h, 0, 4, 500);
        Gop gop = core.currentGop(CAM).orElseThrow();
        assertThat(gop.frames()).extracting(VideoSample::pts).containsExactly(0L, FRAME, 2 * FRAME, 3 * FRAME);
        assertThat(gop.format().width()).isEqualTo(320);
        assertThat(gop.newestAt()).isAfter(gop.keyframeAt());

        h.push(Samples.keyframe(4 * FRAME, false, 500));
        h.push(Samples.frame(5 * FRAME, 500));
        gop = core.currentGop(CAM).orElseThrow();
        assertThat(gop.frames()).extracting(VideoSample::pts).containsExactly(4 * FRAME, 5 * FRAME);
        assertThat(Samples.nalTypes(gop.keyframe().payload())).containsExactly(7, 8, 5);

        // Beyond the cap only the keyframe stays.
        for (int i = 0; i < 6; i++) {
            h.push(Samples.frame((6 + i) * FRAME, 500));
        }
        gop = core.currentGop(CAM).orElseThrow();
        assertThat(gop.frames()).hasSize(1);
        assertThat(gop.newestAt()).isEqualTo(gop.keyframeAt());
        assertThat(core.currentGop(OTHER)).isEmpty();
    }

    @Test
    void audioOnlyStreamGoesLiveAfterAGracePeriod() {
        Recorder rec = new Recorder();
        core.subscribe("rec", id -> true, 0, rec);
        StreamHandle h = core.open(CAM, "test");

        for (int i = 0; i < 150; i++) {
            h.push(Samples.g711a(i * 1800L));
            clock.advance(20);
        }

        Await.until("150 samples", () -> rec.sampleCount() == 150);
        StreamInfo info = core.stream(CAM).orElseThrow();
        assertThat(info.state()).isEqualTo(StreamState.LIVE);
        assertThat(info.audio().codec()).isEqualTo(Codec.G711A);
        assertThat(info.video()).isNull();
        assertThat(info.frameRate()).isZero();
        assertThat(info.bitrateBps()).isCloseTo(64_000L, within(3_000L));
        core.periodicCheck();
        assertThat(metrics.value(MediaCore.Metrics.SAMPLES, "test", "audio")).isEqualTo(150);
    }

    @Test
    void readinessCountsStreams() {
        StreamHandle h = core.open(CAM, "test");
        pushGop(h, 0, 1, 100);
        core.open(OTHER, "test");

        var readiness = core.check();

        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.details()).containsEntry("streams", 2).containsEntry("live", 1)
                .containsEntry("starting", 1);
        assertThat(core.name()).isEqualTo("media-core");
        core.deactivate();
        assertThat(core.check().ready()).isFalse();
        assertThatThrownBy(() -> core.open(CAM, "test")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void metricsGoAwayWithTheCore() {
        StreamHandle h = core.open(CAM, "test");
        pushGop(h, 0, 2, 100);
        core.periodicCheck();
        assertThat(metrics.names()).isNotEmpty();

        core.deactivate();

        assertThat(metrics.names()).isEmpty();
    }
}
