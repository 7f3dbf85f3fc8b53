package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.testing.TestDatabase;

/** The index queries on a real database; subclasses supply H2 or PostgreSQL. */
abstract class RecordingIndexContract {

    static final String CAM = "rtsp/cam-1";
    static final String OTHER = "rtsp/cam-2";

    RecordingIndex index;
    /** The test's database, closed after it (which drops a PostgreSQL schema). */
    @AutoClose
    TestDatabase db;

    /** A fresh database. */
    abstract TestDatabase database() throws SQLException;

    @BeforeEach
    void setUp() throws SQLException {
        db = database();
        db.migrate(RecordingService.OWNER, RecordingIndex.MIGRATIONS);
        index = new RecordingIndex(db.dataSource());
        // cam-1: [1000, 61000) and [61000, 121000) back to back, a gap, then [200000, 260000).
        put(CAM, 1000, 60_000, "local", 1000, 1200, 31_000, 500_000);
        put(CAM, 61_000, 60_000, "local", 61_000, 900, 91_000, 400_000);
        put(CAM, 200_000, 60_000, "local", 200_000, 900);
        put(OTHER, 0, 300_000, "s3", 0, 900, 150_000, 7_000);
    }

    static String key(String stream, long start) {
        return stream + "/segments/19700101/" + start + "-0.mp4";
    }

    /** A complete segment; {@code kf} holds pairs of keyframe time and moof offset. */
    void put(String stream, long start, long duration, String backend, long... kf) throws SQLException {
        List<KeyframeRecord> keyframes = new java.util.ArrayList<>();
        for (int i = 0; i < kf.length; i += 2) {
            keyframes.add(new KeyframeRecord(kf[i], kf[i + 1]));
        }
        index.putComplete(new SegmentRecord(key(stream, start), stream, backend, 90_000L, start, start + duration,
                duration, 1_000_000 + start, keyframes.size(), SegmentRecord.COMPLETE), keyframes);
    }

    @Test
    void locateFindsTheSegmentAndTheMoofOfTheLastKeyframeBeforeT() throws SQLException {
        RecordingIndex.Location l = index.locate(CAM, 30_999).orElseThrow();
        assertThat(l.segment().key()).isEqualTo(key(CAM, 1000));
        assertThat(l.byteOffset()).isEqualTo(1200);
        assertThat(l.keyframeTime()).isEqualTo(1000);

        l = index.locate(CAM, 31_000).orElseThrow();
        assertThat(l.byteOffset()).isEqualTo(500_000);

        l = index.locate(CAM, 61_000).orElseThrow();
        assertThat(l.segment().key()).isEqualTo(key(CAM, 61_000));
        assertThat(l.byteOffset()).isEqualTo(900);

        l = index.locate(CAM, 259_999).orElseThrow();
        assertThat(l.segment().key()).isEqualTo(key(CAM, 200_000));
    }

    @Test
    void locateAnswersNothingOutsideRecordedTime() throws SQLException {
        assertThat(index.locate(CAM, 999)).isEmpty();
        assertThat(index.locate(CAM, 150_000)).isEmpty(); // in the gap
        assertThat(index.locate(CAM, 260_000)).isEmpty(); // right after the end
        assertThat(index.locate("rtsp/nobody", 50_000)).isEmpty();
    }

    @Test
    void nearestKeyframeBeforeTIgnoresGaps() throws SQLException {
        RecordingIndex.Location k = index.nearestKeyframe(CAM, 150_000).orElseThrow();
        assertThat(k.keyframeTime()).isEqualTo(91_000);
        assertThat(k.byteOffset()).isEqualTo(400_000);
        assertThat(k.segment().key()).isEqualTo(key(CAM, 61_000));
        assertThat(index.nearestKeyframe(CAM, 999)).isEmpty();
        // Streams do not see each other's keyframes.
        assertThat(index.nearestKeyframe(OTHER, 149_999).orElseThrow().keyframeTime()).isZero();
    }

    @Test
    void listReturnsSegmentsOverlappingTheRangeOldestFirst() throws SQLException {
        assertThat(index.list(CAM, Long.MIN_VALUE, Long.MAX_VALUE, 100)).extracting(SegmentRecord::startTime)
                .containsExactly(1000L, 61_000L, 200_000L);
        assertThat(index.list(CAM, 60_000, 70_000, 100)).extracting(SegmentRecord::startTime)
                .containsExactly(1000L, 61_000L);
        assertThat(index.list(CAM, 130_000, 190_000, 100)).isEmpty();
        assertThat(index.list(CAM, 0, Long.MAX_VALUE, 2)).hasSize(2);
        SegmentRecord s = index.list(OTHER, 0, 1, 10).get(0);
        assertThat(s.backend()).isEqualTo("s3");
        assertThat(s.startPts()).isEqualTo(90_000L);
        assertThat(s.name()).isEqualTo("0-0");
        assertThat(s.keyframes()).isEqualTo(2);
    }

    @Test
    void openSegmentsAreNotListedUntilComplete() throws SQLException {
        String key = key(CAM, 300_000);
        index.insertOpen(new SegmentRecord(key, CAM, "local", null, 300_000, 300_000, 0, 0, 0,
                SegmentRecord.RECORDING));
        assertThat(index.list(CAM, 300_000, 300_000, 10)).isEmpty();
        assertThat(index.withStatus(SegmentRecord.RECORDING, 10)).extracting(SegmentRecord::key).containsExactly(key);
        assertThat(index.segment(key).orElseThrow().startPts()).isNull();

        index.putComplete(new SegmentRecord(key, CAM, "local", 5L, 300_000, 310_000, 10_000, 77, 1,
                SegmentRecord.COMPLETE), List.of(new KeyframeRecord(300_000, 600)));
        assertThat(index.list(CAM, 300_000, 300_000, 10)).extracting(SegmentRecord::bytes).containsExactly(77L);
        assertThat(index.withStatus(SegmentRecord.RECORDING, 10)).isEmpty();
        assertThat(index.keyframes(key)).containsExactly(new KeyframeRecord(300_000, 600));
    }

    @Test
    void putCompleteReplacesKeyframesAndDeleteRemovesThem() throws SQLException {
        String key = key(CAM, 1000);
        index.putComplete(new SegmentRecord(key, CAM, "local", null, 1000, 61_000, 60_000, 5, 1,
                SegmentRecord.COMPLETE), List.of(new KeyframeRecord(1000, 100)));
        assertThat(index.keyframes(key)).containsExactly(new KeyframeRecord(1000, 100));
        assertThat(index.locate(CAM, 40_000).orElseThrow().byteOffset()).isEqualTo(100);

        assertThat(index.delete(key)).isTrue();
        assertThat(index.delete(key)).isFalse();
        assertThat(index.keyframes(key)).isEmpty();
        assertThat(index.locate(CAM, 40_000)).isEmpty();
    }

    @Test
    void retentionQueriesGoOldestFirstPerBackend() throws SQLException {
        assertThat(index.endedBefore(121_001, List.of("local"), 10)).extracting(SegmentRecord::startTime)
                .containsExactly(1000L, 61_000L);
        assertThat(index.endedBefore(1_000_000, List.of("s3"), 10)).extracting(SegmentRecord::streamId)
                .containsExactly(OTHER);
        assertThat(index.oldest(CAM, List.of("local"), 1)).extracting(SegmentRecord::startTime).containsExactly(1000L);
        assertThat(index.oldest(List.of("local", "nas"), 10)).hasSize(3);
        assertThat(index.bytesPerStream()).containsEntry(CAM, 3_000_000L + 1000 + 61_000 + 200_000)
                .containsEntry(OTHER, 1_000_000L);
    }

    @Test
    void reindexHelpersKnowWhatIsIndexed() throws SQLException {
        assertThat(index.completeAmong(Set.of(key(CAM, 1000), key(CAM, 5), key(OTHER, 0))))
                .containsExactlyInAnyOrder(key(CAM, 1000), key(OTHER, 0));
        assertThat(index.streams("local")).containsExactly(CAM);
        assertThat(index.keys(CAM, "local")).hasSize(3);
        assertThat(index.keys(CAM, "s3")).isEmpty();
    }

    @Test
    void streamSettingsAreUpserted() throws SQLException {
        assertThat(index.settings()).isEmpty();
        index.putSetting(new StreamSetting(CAM, true, new SegmentPolicy(SegmentStrategy.GOPS, 10)));
        index.putSetting(new StreamSetting(OTHER, true, null));
        index.putSetting(new StreamSetting(CAM, false, new SegmentPolicy(SegmentStrategy.SIZE, 1 << 20)));
        assertThat(index.settings()).containsExactlyInAnyOrder(
                new StreamSetting(CAM, false, new SegmentPolicy(SegmentStrategy.SIZE, 1 << 20)),
                new StreamSetting(OTHER, true, null));
    }
}
