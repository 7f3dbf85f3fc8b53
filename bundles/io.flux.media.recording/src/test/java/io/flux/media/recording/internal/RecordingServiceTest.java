package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.stream.StreamId;
import io.flux.media.testing.Await;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;
import io.flux.media.testing.FakeStreamRegistry;
import io.flux.media.testing.TestDatabase;

/**
 * The recorder end to end: samples in through the registry's listener, segments out through a directory-backed
 * storage backend, the index in a real in-memory H2, retention, reindex, on/off persistence.
 */
class RecordingServiceTest {

    static final StreamId CAM = StreamId.of("rtsp/cam-1");
    static final StreamId DOOR = StreamId.of("rtsp/door");
    static final long T0 = 1_700_000_000_000L;
    static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    private final FakeStreamRegistry registry = new FakeStreamRegistry();
    private final FakeMetricsRegistry metrics = new FakeMetricsRegistry();
    private final AtomicLong clock = new AtomicLong(T0);
    private final List<RecordingService> services = new ArrayList<>();
    private TestDatabase db = TestDatabase.h2();
    private DirStorage storage;

    @BeforeAll
    static void ffmpeg() {
        Media.requireFfmpeg();
    }

    @AfterEach
    void stopServices() {
        for (RecordingService s : services) {
            s.deactivate();
        }
    }

    private static RecordingService.Config config(Map<String, Object> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("segment_duration_seconds", 2);
        m.put("reindex_on_start", false);
        m.putAll(overrides);
        return Configs.of(RecordingService.Config.class, m);
    }

    private RecordingService service(Map<String, Object> overrides, StorageBackend backend) {
        RecordingService s = new RecordingService(registry, db, metrics, config(overrides), clock::get,
                dir.resolve("spool"));
        if (backend != null) {
            s.bindStorage(backend);
        }
        s.activate();
        services.add(s);
        return s;
    }

    private RecordingService service(Map<String, Object> overrides) {
        storage = storage == null ? new DirStorage(dir.resolve("store"), "local") : storage;
        return service(overrides, storage);
    }

    private void feed(StreamId id, List<? extends MediaSample> samples) {
        for (MediaSample s : samples) {
            registry.listener.onSample(id, s);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(20), condition);
    }

    /** Every segment is finished and has left the spool for its backend. */
    private static void awaitIdle(RecordingService s) {
        await("every segment is stored", () -> s.counts().get("open_segments").equals(0)
                && s.counts().get("spool_waiting").equals(0));
    }

    private static void awaitFinished(RecordingService s) {
        await("every segment is finished", () -> s.counts().get("open_segments").equals(0));
    }

    private long filesIn(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    /** Records {@code seconds} of H.264 (1 s GOPs) for a stream and ends it; 2 s segments. */
    private void record(RecordingService s, StreamId id, int seconds) throws Exception {
        feed(id, Media.h264(seconds));
        registry.listener.onStreamEnd(id);
        awaitIdle(s);
    }

    @Test
    void recordsValidSegmentsAndIndexesThem() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, null, null);
        assertThat(registry.filter.test(DOOR)).isTrue(); // one subscription; the recorder decides per stream
        record(s, CAM, 6);

        List<SegmentRecord> segments = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 100);
        assertThat(segments).hasSize(3);
        long bytes = 0;
        for (int i = 0; i < segments.size(); i++) {
            SegmentRecord r = segments.get(i);
            Path f = storage.path(r.key());
            assertThat(f).exists();
            assertThat(r.bytes()).isEqualTo(Files.size(f));
            assertThat(r.status()).isEqualTo(SegmentRecord.COMPLETE);
            assertThat(r.backend()).isEqualTo("local");
            assertThat(r.startTime()).isEqualTo(T0 + 2000L * i);
            assertThat(r.durationMs()).isEqualTo(2000);
            assertThat(r.keyframes()).isEqualTo(2);
            assertThat(r.key()).startsWith("rtsp/cam-1/segments/20231114/");
            Media.assertValid(f);
            assertThat(Media.packets(f, "v").get(0).key()).isTrue();
            bytes += r.bytes();
        }
        assertThat(metrics.value(RecordingMetrics.SEGMENTS, "complete")).isEqualTo(3);
        assertThat(metrics.value(RecordingMetrics.BYTES)).isEqualTo(bytes);
        assertThat(metrics.value(RecordingMetrics.STORAGE_AVAILABLE)).isEqualTo(1);
        assertThat(metrics.value(RecordingMetrics.OPEN_SEGMENTS)).isZero();
        assertThat(db.appliedVersions(RecordingService.OWNER)).containsExactly(1, 2);
        assertThat(filesIn(dir.resolve("spool"))).isZero(); // a rename into the local store: nothing left behind
        assertThat(metrics.value(RecordingMetrics.SPOOL_BYTES)).isZero();
        assertThat(metrics.value(RecordingMetrics.SPOOL_SEGMENTS)).isZero();
    }

    @Test
    void locateGivesAnOffsetFromWhichTheSegmentPlays() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, null, null);
        record(s, CAM, 6);

        RecordingIndex.Location l = s.locate(CAM, T0 + 3500).orElseThrow();
        assertThat(l.segment().startTime()).isEqualTo(T0 + 2000);
        assertThat(l.keyframeTime()).isEqualTo(T0 + 3000);
        assertThat(s.nearestKeyframe(CAM, T0 + 3999).orElseThrow().keyframeTime()).isEqualTo(T0 + 3000);
        assertThat(s.locate(CAM, T0 + 6000)).isEmpty();
        assertThat(s.locate(CAM, T0 - 1)).isEmpty();

        // The file's header plus everything from the offset is a playable file starting at that keyframe.
        byte[] file = Files.readAllBytes(storage.path(l.segment().key()));
        List<KeyframeRecord> keyframes = new RecordingIndex(db.dataSource()).keyframes(l.segment().key());
        int headerEnd = (int) keyframes.get(0).byteOffset();
        int from = (int) l.byteOffset();
        assertThat(new String(file, from + 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("moof");
        ByteArrayOutputStream cut = new ByteArrayOutputStream();
        cut.write(file, 0, headerEnd);
        cut.write(file, from, file.length - from);
        Path tail = dir.resolve("tail.mp4");
        Files.write(tail, cut.toByteArray());
        Media.assertValid(tail);
        List<Media.Packet> packets = Media.packets(tail, "v");
        assertThat(packets).hasSize(25);
        assertThat(packets.get(0).key()).isTrue();
        assertThat(packets.get(0).dts()).isEqualTo(90_000);
    }

    @Test
    void reindexRebuildsALostIndexFromStorage() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, null, null);
        record(s, CAM, 6);
        RecordingIndex index = new RecordingIndex(db.dataSource());
        List<SegmentRecord> before = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 100);
        Map<String, List<KeyframeRecord>> keyframes = new HashMap<>();
        for (SegmentRecord r : before) {
            keyframes.put(r.key(), index.keyframes(r.key()));
        }

        db.execute("DELETE FROM recording_keyframe");
        db.execute("DELETE FROM recording_segment");
        assertThat(s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 100)).isEmpty();
        assertThat(s.locate(CAM, T0 + 3500)).isEmpty();

        RecordingService.ReindexState state = s.reindexNow(storage);
        assertThat(state.state()).isEqualTo("done");
        assertThat(state.report()).isEqualTo(new Reindexer.Report(3, 3, 0, 0));
        List<SegmentRecord> after = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 100);
        assertThat(after).hasSize(3);
        for (int i = 0; i < 3; i++) {
            SegmentRecord b = before.get(i);
            SegmentRecord a = after.get(i);
            assertThat(a).isEqualTo(new SegmentRecord(b.key(), b.streamId(), b.backend(), null, b.startTime(),
                    b.endTime(), b.durationMs(), b.bytes(), b.keyframes(), b.status()));
            assertThat(index.keyframes(a.key())).isEqualTo(keyframes.get(a.key()));
        }
        assertThat(s.locate(CAM, T0 + 3500).orElseThrow().keyframeTime()).isEqualTo(T0 + 3000);

        // A second run finds nothing to do.
        assertThat(s.reindexNow(storage).report()).isEqualTo(new Reindexer.Report(3, 0, 0, 0));
    }

    @Test
    void aNewDatabaseIsRebuiltInTheBackgroundAtStart() throws Exception {
        RecordingService first = service(Map.of());
        first.start(CAM, null, null);
        record(first, CAM, 4);
        first.deactivate();
        services.remove(first);

        db = TestDatabase.h2(); // the index is gone, the files are not
        RecordingService second = service(Map.of("reindex_on_start", true));
        await("the background reindex", () -> "done".equals(second.reindexState().state()));
        assertThat(second.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 100)).hasSize(2);
        assertThat(second.reindexState().report().added()).isEqualTo(2);
    }

    @Test
    void reindexRecoversFromACrashInEitherDirection() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, null, null);
        record(s, CAM, 4);
        RecordingIndex index = new RecordingIndex(db.dataSource());
        // Crash before the rename: the row says "recording", the object never made it.
        String ghost = SegmentKeys.key(CAM, T0 + 9000, 7);
        index.insertOpen(new SegmentRecord(ghost, CAM.value(), "local", 1L, T0 + 9000, T0 + 9000, 0, 0, 0,
                SegmentRecord.RECORDING));
        // Crash after the rename, before the index update: stored, still "recording" in the index.
        SegmentRecord stored = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10).get(1);
        index.delete(stored.key());
        index.insertOpen(new SegmentRecord(stored.key(), CAM.value(), "local", 1L, stored.startTime(),
                stored.startTime(), 0, 0, 0, SegmentRecord.RECORDING));
        // Something else in the store that is not a segment.
        Files.createDirectories(storage.path("rtsp/cam-1/snapshots"));
        Files.writeString(storage.path("rtsp/cam-1/snapshots/x.jpg"), "not a segment");

        Reindexer.Report r = s.reindexNow(storage).report();
        assertThat(r.added()).isEqualTo(1);
        assertThat(r.removed()).isEqualTo(1);
        assertThat(index.segment(ghost)).isEmpty();
        assertThat(index.segment(stored.key()).orElseThrow().status()).isEqualTo(SegmentRecord.COMPLETE);
        assertThat(index.segment(stored.key()).orElseThrow().bytes()).isEqualTo(stored.bytes());
    }

    @Test
    void aCorruptSegmentIsReportedAndLeftAlone() throws Exception {
        RecordingService s = service(Map.of());
        String key = SegmentKeys.key(CAM, T0, 0);
        Files.createDirectories(storage.path(key).getParent());
        Files.write(storage.path(key), new byte[] {0, 0, 0, 8, 'f', 't', 'y', 'p', 0, 0, 1, 0, 'm', 'o'});
        Reindexer.Report r = s.reindexNow(storage).report();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(r.added()).isZero();
        assertThat(storage.path(key)).exists();
    }

    @Test
    void retentionByAgeNeverTouchesTheSegmentBeingWritten() throws Exception {
        RecordingService s = service(Map.of("retention_days", 30));
        s.start(CAM, null, null);
        s.start(DOOR, null, null);
        record(s, CAM, 4);
        List<SegmentRecord> old = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(old).hasSize(2);

        clock.set(T0 + 31 * DAY);
        List<VideoSample> door = Media.h264(4);
        feed(DOOR, door.subList(0, 30)); // a segment is open
        RecordingService.Status open = s.status(DOOR);
        String openKey = open.recorder().segmentKey();
        assertThat(openKey).isNotNull();
        await("the open segment's row", () -> {
            try {
                return new RecordingIndex(db.dataSource()).segment(openKey).isPresent();
            } catch (java.sql.SQLException e) {
                return false;
            }
        });

        Retention.Report r = s.runRetention().orElseThrow();
        assertThat(r.byAge()).isEqualTo(2);
        assertThat(s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10)).isEmpty();
        for (SegmentRecord seg : old) {
            assertThat(storage.path(seg.key())).doesNotExist();
        }
        assertThat(metrics.value(RecordingMetrics.RETENTION_DELETED, "age")).isEqualTo(2);
        assertThat(s.isOpen(openKey)).isTrue();
        assertThat(new RecordingIndex(db.dataSource()).segment(openKey).orElseThrow().status())
                .isEqualTo(SegmentRecord.RECORDING);

        // Even a total limit of one byte leaves the open segment alone.
        s.modified(config(Map.of("retention_max_bytes_total", 1L)));
        assertThat(s.runRetention().orElseThrow().total()).isZero();
        assertThat(s.isOpen(openKey)).isTrue();

        feed(DOOR, door.subList(30, door.size()));
        registry.listener.onStreamEnd(DOOR);
        awaitIdle(s);
        assertThat(s.list(DOOR, Long.MIN_VALUE, Long.MAX_VALUE, 10)).hasSize(2);
        Media.assertValid(storage.path(openKey));
    }

    @Test
    void byteLimitsDeleteOldestFirstPerStreamThenOverall() throws Exception {
        RecordingService s = service(Map.of("retention_days", 0));
        s.start(CAM, null, null);
        s.start(DOOR, null, null);
        record(s, CAM, 6);
        clock.addAndGet(60_000);
        record(s, DOOR, 6);
        List<SegmentRecord> cam = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        List<SegmentRecord> door = s.list(DOOR, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        long camLastTwo = cam.get(1).bytes() + cam.get(2).bytes();

        s.modified(config(Map.of("retention_days", 0, "retention_max_bytes_per_stream", camLastTwo)));
        Retention.Report r = s.runRetention().orElseThrow();
        assertThat(r.byStreamBytes()).isGreaterThanOrEqualTo(1);
        List<SegmentRecord> camLeft = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(camLeft).extracting(SegmentRecord::key).doesNotContain(cam.get(0).key())
                .contains(cam.get(2).key());
        assertThat(storage.path(cam.get(0).key())).doesNotExist();

        long doorNewest = door.get(2).bytes();
        s.modified(config(Map.of("retention_days", 0, "retention_max_bytes_total", doorNewest)));
        s.runRetention();
        assertThat(s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10)).isEmpty();
        assertThat(s.list(DOOR, Long.MIN_VALUE, Long.MAX_VALUE, 10)).extracting(SegmentRecord::key)
                .containsExactly(door.get(2).key());
    }

    @Test
    void withoutABackendSegmentsWaitInTheSpoolAndGoToTheFirstBackendThatAppears() throws Exception {
        RecordingService s = service(Map.of(), null);
        s.start(CAM, null, null);
        assertThat(s.status(CAM).backend()).isNull();
        assertThat(metrics.value(RecordingMetrics.STORAGE_AVAILABLE)).isZero();
        feed(CAM, Media.h264(6));
        registry.listener.onStreamEnd(CAM);
        awaitFinished(s);

        List<SegmentRecord> spooled = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(spooled).hasSize(3).extracting(SegmentRecord::backend).containsOnly("spool");
        assertThat(metrics.value(RecordingMetrics.SPOOL_SEGMENTS)).isEqualTo(3);
        assertThat(metrics.value(RecordingMetrics.SPOOL_BYTES))
                .isEqualTo(spooled.stream().mapToLong(SegmentRecord::bytes).sum());
        // Served from the spool meanwhile, ranges included.
        RecordingService.Download d = s.download(CAM, spooled.get(0).name());
        assertThat(d.backend()).isEqualTo("spool");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RecordingResource(s).copy(d, 10, 100, out);
        byte[] file = Files.readAllBytes(dir.resolve("spool").resolve(spooled.get(0).key()));
        assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(file, 10, 110));

        storage = new DirStorage(dir.resolve("store"), "local");
        s.bindStorage(storage);
        awaitIdle(s);
        List<SegmentRecord> stored = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(stored).extracting(SegmentRecord::backend).containsOnly("local");
        assertThat(stored).extracting(SegmentRecord::key).isEqualTo(spooled.stream().map(SegmentRecord::key).toList());
        for (SegmentRecord r : stored) {
            Media.assertValid(storage.path(r.key()));
        }
        assertThat(filesIn(dir.resolve("spool"))).isZero();
        assertThat(metrics.value(RecordingMetrics.SEGMENTS, "complete")).isEqualTo(3);
        assertThat(s.download(CAM, stored.get(0).name()).backend()).isEqualTo("local");
    }

    @Test
    void aFailingBackendLosesNothingAndGetsEverySegmentOnceInOrder() throws Exception {
        DirStorage failing = new DirStorage(dir.resolve("flaky"), "s3");
        failing.failWrites = true;
        RecordingService s = service(Map.of("storage_target", "(flux.storage.type=s3)"), failing);
        s.start(CAM, null, null);
        feed(CAM, Media.h264(6));
        registry.listener.onStreamEnd(CAM);
        awaitFinished(s);
        await("a failed upload", () -> failing.writes.get() >= 1);
        RecordingService.StorageState st = s.storageState();
        assertThat(st.active()).isEqualTo("s3");
        assertThat(st.spool_waiting()).isEqualTo(3);
        assertThat(st.backends()).singleElement().satisfies(b -> {
            assertThat(b.healthy()).isFalse();
            assertThat(b.last_error()).contains("write refused");
        });
        // Backing off, not a storm: after the second failure the next attempt is about 2 s away.
        await("a second failed upload", () -> failing.writes.get() >= 2);
        Uploader.BackendState backingOff = s.storageState().backends().get(0);
        assertThat(backingOff.failures()).isEqualTo(2);
        assertThat(backingOff.retry_at()).isAfter(java.time.Instant.now().plusMillis(500));
        assertThat(failing.writes.get()).isEqualTo(2);

        failing.failWrites = false;
        awaitIdle(s);
        List<SegmentRecord> stored = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(stored).hasSize(3).extracting(SegmentRecord::backend).containsOnly("s3");
        assertThat(filesIn(dir.resolve("flaky"))).isEqualTo(3);
        for (SegmentRecord r : stored) {
            Media.assertValid(failing.path(r.key()));
        }
        assertThat(failing.order).isEqualTo(stored.stream().map(SegmentRecord::key).toList());
        assertThat(s.storageState().backends().get(0).healthy()).isTrue();
        assertThat(metrics.value(RecordingMetrics.SEGMENTS, "failed")).isZero();
    }

    @Test
    void aFullSpoolEvictsTheOldestSegmentsOfTheLowestPriorityFirst() throws Exception {
        RecordingService s = service(Map.of(), null);
        s.start(CAM, null, 5);
        s.start(DOOR, null, 0);
        feed(CAM, Media.h264(4));
        registry.listener.onStreamEnd(CAM);
        clock.addAndGet(60_000);
        feed(DOOR, Media.h264(4));
        registry.listener.onStreamEnd(DOOR);
        awaitFinished(s);
        List<SegmentRecord> door = s.list(DOOR, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(door).hasSize(2);
        long full = s.storageState().spool_bytes();

        // Exactly full: the next segment needs room, which the low-priority stream gives, oldest first.
        s.modified(config(Map.of("spool_max_bytes", full)));
        clock.addAndGet(60_000);
        feed(CAM, Media.h264(2));
        registry.listener.onStreamEnd(CAM);
        awaitFinished(s);

        assertThat(metrics.value(RecordingMetrics.SEGMENTS, "evicted")).isGreaterThanOrEqualTo(1);
        assertThat(s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10)).hasSize(3);
        List<SegmentRecord> doorLeft = s.list(DOOR, Long.MIN_VALUE, Long.MAX_VALUE, 10);
        assertThat(doorLeft.size()).isLessThan(2);
        assertThat(doorLeft).extracting(SegmentRecord::key).doesNotContain(door.get(0).key());
        assertThat(dir.resolve("spool").resolve(door.get(0).key())).doesNotExist();
        assertThat(s.storageState().spool_bytes()).isLessThanOrEqualTo(full);
    }

    @Test
    void aSegmentInterruptedByACrashIsCutBackToItsLastFragmentAndKept() throws Exception {
        RecordingService s = service(Map.of("fragment_max_ms", 500), null);
        s.start(CAM, null, null);
        feed(CAM, Media.h264(4).subList(0, 40)); // 1.6 s into a 2 s segment
        String key = s.status(CAM).recorder().segmentKey();
        Path part = dir.resolve("spool").resolve(key + Spool.PART);
        await("fragments on disk", () -> {
            try {
                return Files.size(part) > 1000;
            } catch (IOException e) {
                return false;
            }
        });
        // The crash: a copy of the spool as it is now, torn in the middle of the last fragment.
        Path crashed = dir.resolve("crashed");
        Files.createDirectories(crashed.resolve(key).getParent());
        byte[] bytes = Files.readAllBytes(part);
        Files.write(crashed.resolve(key + Spool.PART), java.util.Arrays.copyOf(bytes, bytes.length - 7));

        storage = new DirStorage(dir.resolve("store"), "local");
        RecordingService after = new RecordingService(registry, db, metrics, config(Map.of()), clock::get, crashed);
        after.bindStorage(storage);
        after.activate();
        services.add(after);
        await("the salvaged segment is stored", () -> Files.exists(storage.path(key)));
        Media.assertValid(storage.path(key));
        assertThat(Media.packets(storage.path(key), "v").size()).isBetween(20, 39);
        SegmentRecord r = new RecordingIndex(db.dataSource()).segment(key).orElseThrow();
        assertThat(r.status()).isEqualTo(SegmentRecord.COMPLETE);
        assertThat(r.backend()).isEqualTo("local");
        assertThat(r.bytes()).isEqualTo(Files.size(storage.path(key)));
    }

    @Test
    void onOffChoicesArePersistedAndSurviveARestart() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, new SegmentPolicy(SegmentStrategy.GOPS, 5), 7);
        s.stop(DOOR);
        s.deactivate();
        services.remove(s);

        RecordingService again = service(Map.of("record_by_default", true));
        RecordingService.Status cam = again.status(CAM);
        assertThat(cam.enabled()).isTrue();
        assertThat(cam.explicit()).isTrue();
        assertThat(cam.policy()).isEqualTo(new SegmentPolicy(SegmentStrategy.GOPS, 5));
        assertThat(cam.policyExplicit()).isTrue();
        assertThat(cam.priority()).isEqualTo(7);
        assertThat(again.status(DOOR).enabled()).isFalse();
        RecordingService.Status other = again.status(StreamId.of("rtsp/other"));
        assertThat(other.enabled()).isTrue();
        assertThat(other.explicit()).isFalse();
        assertThat(other.policy()).isEqualTo(new SegmentPolicy(SegmentStrategy.TIME, 2));

        // Stopping keeps the stream's own policy for the next start... unless start names another.
        again.stop(CAM);
        assertThat(again.status(CAM).policy().strategy()).isEqualTo(SegmentStrategy.GOPS);
        again.start(CAM, null, null);
        assertThat(again.status(CAM).policyExplicit()).isFalse();
    }

    @Test
    void recordByDefaultIsHotAndStopClosesTheOpenSegment() throws Exception {
        RecordingService s = service(Map.of("record_by_default", true));
        List<VideoSample> input = Media.h264(6);
        feed(CAM, input.subList(0, 40));
        assertThat(s.status(CAM).recorder().open()).isTrue();

        s.modified(config(Map.of("record_by_default", false)));
        awaitIdle(s);
        assertThat(s.status(CAM).recorder()).isNull();
        assertThat(s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10)).hasSize(1);
        feed(CAM, input.subList(40, input.size()));
        assertThat(s.status(CAM).recorder()).isNull();

        s.start(DOOR, null, null);
        feed(DOOR, input.subList(0, 30));
        s.stop(DOOR);
        awaitIdle(s);
        assertThat(s.list(DOOR, Long.MIN_VALUE, Long.MAX_VALUE, 10)).hasSize(1);
        assertThat(s.status(DOOR).enabled()).isFalse();
    }

    @Test
    void segmentsAreServedByNameFromTheBackendThatHoldsThem() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, null, null);
        record(s, CAM, 4);
        SegmentRecord first = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10).get(0);

        RecordingService.Download d = s.download(CAM, first.name());
        assertThat(d.size()).isEqualTo(first.bytes());
        assertThat(d.fileName()).isEqualTo(first.name() + ".mp4");
        assertThat(s.download(CAM, first.name() + ".mp4").key()).isEqualTo(first.key());
        assertThatThrownBy(() -> s.download(CAM, "1-0")).isInstanceOfSatisfying(
                RecordingService.DownloadException.class, e -> assertThat(e.status).isEqualTo(404));
        assertThatThrownBy(() -> s.download(CAM, "../../etc")).isInstanceOfSatisfying(
                RecordingService.DownloadException.class, e -> assertThat(e.status).isEqualTo(404));

        // A range comes straight from the backend.
        RecordingResource resource = new RecordingResource(s);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        resource.copy(d, 100, 1000, out);
        byte[] file = Files.readAllBytes(storage.path(first.key()));
        assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(file, 100, 1100));

        // Another backend is chosen by configuration: new segments go there, old ones stay readable where they are.
        DirStorage nas = new DirStorage(dir.resolve("nas"), "nas");
        s.bindStorage(nas);
        s.modified(config(Map.of("storage_target", "(flux.storage.type=nas)")));
        clock.addAndGet(60_000);
        record(s, CAM, 2);
        assertThat(s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10)).extracting(SegmentRecord::backend)
                .containsExactly("local", "local", "nas");
        SegmentRecord onNas = s.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 10).get(2);
        assertThat(nas.path(onNas.key())).exists();
        assertThat(storage.path(onNas.key())).doesNotExist();
        assertThat(s.download(CAM, onNas.name()).backend()).isEqualTo("nas");
        assertThat(s.download(CAM, first.name()).backend()).isEqualTo("local");
        // Once the old backend is gone its segments are reported unreachable, naming it.
        s.unbindStorage(storage);
        assertThatThrownBy(() -> s.download(CAM, first.name())).isInstanceOfSatisfying(
                RecordingService.DownloadException.class, e -> {
                    assertThat(e.status).isEqualTo(503);
                    assertThat(e.getMessage()).contains("local");
                });
    }

    @Test
    void deactivationFinishesOpenSegments() throws Exception {
        RecordingService s = service(Map.of());
        s.start(CAM, null, null);
        feed(CAM, Media.h264(4).subList(0, 40));
        s.deactivate();
        services.remove(s);
        assertThat(registry.closed).isEqualTo(1);
        List<SegmentRecord> stored = new RecordingIndex(db.dataSource()).list(CAM.value(), Long.MIN_VALUE,
                Long.MAX_VALUE, 10);
        assertThat(stored).hasSize(1);
        Media.assertValid(storage.path(stored.get(0).key()));
        assertThat(Media.packets(storage.path(stored.get(0).key()), "v")).hasSize(40);
        assertThat(metrics.has(RecordingMetrics.BYTES)).isFalse();
    }
}
