package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import io.flux.media.testing.TestDatabase;

/** The index contract on in-memory H2, plus the query plans: lookups use the indexes, not scans. */
class H2RecordingIndexTest extends RecordingIndexContract {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    private String plan(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void keyframeLookupUsesTheStreamTimeIndex() throws SQLException {
        String p = plan("SELECT k.time_ms FROM recording_keyframe k JOIN recording_segment s "
                + "ON s.segment_key = k.segment_key WHERE k.stream_id = 'rtsp/cam-1' AND k.time_ms <= 5 "
                + "ORDER BY k.time_ms DESC FETCH FIRST 1 ROWS ONLY");
        assertThat(p).containsIgnoringCase("RECORDING_KEYFRAME_STREAM_TIME");
        assertThat(p).containsIgnoringCase("PRIMARY_KEY"); // the segment row by its key
    }

    @Test
    void segmentListUsesTheStreamStartIndex() throws SQLException {
        String p = plan("SELECT segment_key FROM recording_segment WHERE stream_id = 'rtsp/cam-1' AND status = "
                + "'complete' AND start_time <= 5 AND end_time >= 0 ORDER BY start_time FETCH FIRST 10 ROWS ONLY");
        assertThat(p).containsIgnoringCase("RECORDING_SEGMENT_STREAM_START");
    }
}
