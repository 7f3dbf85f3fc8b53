package io.flux.media.recording.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import io.flux.media.api.persistence.Migration;

/**
 * The segment and keyframe index in the platform database. Every lookup the API needs is one indexed query:
 * segments by (stream, start time), keyframes by (stream, time). SQL is plain enough for H2 and PostgreSQL alike.
 */
final class RecordingIndex {

    static final String SEGMENTS = "recording_segment";
    static final String KEYFRAMES = "recording_keyframe";
    static final String STREAMS = "recording_stream";

    /** The schema, owned by this bundle. */
    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "segments, keyframes, per-stream settings",
            "CREATE TABLE " + SEGMENTS + " ("
                    + "segment_key VARCHAR(512) NOT NULL PRIMARY KEY, "
                    + "stream_id VARCHAR(255) NOT NULL, "
                    + "backend VARCHAR(32) NOT NULL, "
                    + "start_pts BIGINT, "
                    + "start_time BIGINT NOT NULL, "
                    + "end_time BIGINT NOT NULL, "
                    + "duration_ms BIGINT NOT NULL, "
                    + "bytes BIGINT NOT NULL, "
                    + "keyframes INTEGER NOT NULL, "
                    + "status VARCHAR(16) NOT NULL, "
                    + "updated_at BIGINT NOT NULL)",
            "CREATE INDEX recording_segment_stream_start ON " + SEGMENTS + " (stream_id, start_time)",
            "CREATE INDEX recording_segment_start ON " + SEGMENTS + " (start_time)",
            "CREATE TABLE " + KEYFRAMES + " ("
                    + "segment_key VARCHAR(512) NOT NULL, "
                    + "byte_offset BIGINT NOT NULL, "
                    + "stream_id VARCHAR(255) NOT NULL, "
                    + "time_ms BIGINT NOT NULL, "
                    + "PRIMARY KEY (segment_key, byte_offset))",
            "CREATE INDEX recording_keyframe_stream_time ON " + KEYFRAMES + " (stream_id, time_ms)",
            "CREATE TABLE " + STREAMS + " ("
                    + "stream_id VARCHAR(255) NOT NULL PRIMARY KEY, "
                    + "enabled BOOLEAN NOT NULL, "
                    + "strategy VARCHAR(8), "
                    + "strategy_value BIGINT, "
                    + "updated_at BIGINT NOT NULL)"),
            Migration.of(2, "per-stream spool priority",
                    "ALTER TABLE " + STREAMS + " ADD COLUMN priority INTEGER"));

    private static final String SEGMENT_COLUMNS = "segment_key, stream_id, backend, start_pts, start_time, end_time, "
            + "duration_ms, bytes, keyframes, status";
    private static final String SEGMENT_COLUMNS_S = "s.segment_key, s.stream_id, s.backend, s.start_pts, "
            + "s.start_time, s.end_time, s.duration_ms, s.bytes, s.keyframes, s.status";

    private final DataSource dataSource;

    RecordingIndex(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A keyframe together with its segment: the answer to "where is time t". */
    record Location(SegmentRecord segment, long keyframeTime, long byteOffset) {
    }

    // ---- writes ----

    /** Records a segment that is being written (status {@code recording}). */
    void insertOpen(SegmentRecord s) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            insert(c, s);
        }
    }

    /** Stores a finished segment and its keyframes in one transaction, replacing what the index held for the key. */
    void putComplete(SegmentRecord s, List<KeyframeRecord> keyframes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + SEGMENTS + " SET stream_id = ?, "
                        + "backend = ?, start_pts = ?, start_time = ?, end_time = ?, duration_ms = ?, bytes = ?, "
                        + "keyframes = ?, status = ?, updated_at = ? WHERE segment_key = ?")) {
                    ps.setString(1, s.streamId());
                    ps.setString(2, s.backend());
                    setLong(ps, 3, s.startPts());
                    ps.setLong(4, s.startTime());
                    ps.setLong(5, s.endTime());
                    ps.setLong(6, s.durationMs());
                    ps.setLong(7, s.bytes());
                    ps.setInt(8, s.keyframes());
                    ps.setString(9, s.status());
                    ps.setLong(10, System.currentTimeMillis());
                    ps.setString(11, s.key());
                    if (ps.executeUpdate() == 0) {
                        insert(c, s);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + KEYFRAMES + " WHERE segment_key = ?")) {
                    ps.setString(1, s.key());
                    ps.executeUpdate();
                }
                if (!keyframes.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + KEYFRAMES
                            + " (segment_key, byte_offset, stream_id, time_ms) VALUES (?, ?, ?, ?)")) {
                        for (KeyframeRecord k : keyframes) {
                            ps.setString(1, s.key());
                            ps.setLong(2, k.byteOffset());
                            ps.setString(3, s.streamId());
                            ps.setLong(4, k.timeMs());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Removes a segment and its keyframes; true when the segment was indexed. */
    boolean delete(String key) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + KEYFRAMES + " WHERE segment_key = ?")) {
                    ps.setString(1, key);
                    ps.executeUpdate();
                }
                int n;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + SEGMENTS + " WHERE segment_key = ?")) {
                    ps.setString(1, key);
                    n = ps.executeUpdate();
                }
                c.commit();
                return n > 0;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    private static void insert(Connection c, SegmentRecord s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SEGMENTS + " (" + SEGMENT_COLUMNS
                + ", updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.key());
            ps.setString(2, s.streamId());
            ps.setString(3, s.backend());
            setLong(ps, 4, s.startPts());
            ps.setLong(5, s.startTime());
            ps.setLong(6, s.endTime());
            ps.setLong(7, s.durationMs());
            ps.setLong(8, s.bytes());
            ps.setInt(9, s.keyframes());
            ps.setString(10, s.status());
            ps.setLong(11, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    // ---- queries ----

    Optional<SegmentRecord> segment(String key) throws SQLException {
        List<SegmentRecord> l = segments("SELECT " + SEGMENT_COLUMNS + " FROM " + SEGMENTS + " WHERE segment_key = ?",
                key);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** Complete segments of a stream overlapping [from, to], oldest first. */
    List<SegmentRecord> list(String streamId, long from, long to, int limit) throws SQLException {
        return segments("SELECT " + SEGMENT_COLUMNS + " FROM " + SEGMENTS + " WHERE stream_id = ? AND status = ? "
                + "AND start_time <= ? AND end_time >= ? ORDER BY start_time FETCH FIRST ? ROWS ONLY",
                streamId, SegmentRecord.COMPLETE, to, from, limit);
    }

    /** The keyframes of a segment, in time order. */
    List<KeyframeRecord> keyframes(String key) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT time_ms, byte_offset FROM " + KEYFRAMES
                        + " WHERE segment_key = ? ORDER BY byte_offset")) {
            ps.setString(1, key);
            List<KeyframeRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new KeyframeRecord(rs.getLong(1), rs.getLong(2)));
                }
            }
            return out;
        }
    }

    /** The last keyframe at or before {@code t} of a stream, with its segment. */
    Optional<Location> nearestKeyframe(String streamId, long t) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + SEGMENT_COLUMNS_S + ", k.time_ms, k.byte_offset "
                        + "FROM " + KEYFRAMES + " k JOIN " + SEGMENTS + " s ON s.segment_key = k.segment_key "
                        + "WHERE k.stream_id = ? AND k.time_ms <= ? ORDER BY k.time_ms DESC FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, streamId);
            ps.setLong(2, t);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Location(segment(rs), rs.getLong(11), rs.getLong(12)));
            }
        }
    }

    /**
     * The segment holding time {@code t} and the byte offset to start reading from (the moof of the fragment of the
     * last keyframe at or before t); empty when no recorded segment covers t.
     */
    Optional<Location> locate(String streamId, long t) throws SQLException {
        Optional<Location> k = nearestKeyframe(streamId, t);
        return k.filter(l -> l.segment().endTime() > t);
    }

    /** Segments with the given status, oldest first (for crash recovery). */
    List<SegmentRecord> withStatus(String status, int limit) throws SQLException {
        return segments("SELECT " + SEGMENT_COLUMNS + " FROM " + SEGMENTS
                + " WHERE status = ? ORDER BY start_time FETCH FIRST ? ROWS ONLY", status, limit);
    }

    /** Complete segments on one of {@code backends} that ended before {@code cutoff}, oldest first. */
    List<SegmentRecord> endedBefore(long cutoff, Collection<String> backends, int limit) throws SQLException {
        return inBackends("status = ? AND end_time < ?", backends, limit, SegmentRecord.COMPLETE, cutoff);
    }

    /** Oldest complete segments of one stream on one of {@code backends}. */
    List<SegmentRecord> oldest(String streamId, Collection<String> backends, int limit) throws SQLException {
        return inBackends("stream_id = ? AND status = ?", backends, limit, streamId, SegmentRecord.COMPLETE);
    }

    /** Oldest complete segments of every stream on one of {@code backends}. */
    List<SegmentRecord> oldest(Collection<String> backends, int limit) throws SQLException {
        return inBackends("status = ?", backends, limit, SegmentRecord.COMPLETE);
    }

    private List<SegmentRecord> inBackends(String where, Collection<String> backends, int limit, Object... params)
            throws SQLException {
        if (backends.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT " + SEGMENT_COLUMNS + " FROM " + SEGMENTS + " WHERE " + where
                + " AND backend IN (");
        List<Object> all = new ArrayList<>(List.of(params));
        for (String b : backends) {
            sql.append(all.size() == params.length ? "?" : ", ?");
            all.add(b);
        }
        sql.append(") ORDER BY start_time FETCH FIRST ? ROWS ONLY");
        all.add(limit);
        return segments(sql.toString(), all.toArray());
    }

    /** Records that a segment now lives on {@code backend}; false when the index has no row for it. */
    boolean moveTo(String key, String backend) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE " + SEGMENTS + " SET backend = ?, updated_at = ? "
                        + "WHERE segment_key = ?")) {
            ps.setString(1, backend);
            ps.setLong(2, System.currentTimeMillis());
            ps.setString(3, key);
            return ps.executeUpdate() > 0;
        }
    }

    /** Bytes of complete segments per stream. */
    Map<String, Long> bytesPerStream() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT stream_id, SUM(bytes) FROM " + SEGMENTS
                        + " WHERE status = ? GROUP BY stream_id ORDER BY stream_id")) {
            ps.setString(1, SegmentRecord.COMPLETE);
            Map<String, Long> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        }
    }

    /** Which of {@code keys} are indexed as complete. */
    Set<String> completeAmong(Collection<String> keys) throws SQLException {
        Set<String> out = new HashSet<>();
        if (keys.isEmpty()) {
            return out;
        }
        List<String> all = new ArrayList<>(keys);
        int batch = 200;
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < all.size(); from += batch) {
                List<String> part = all.subList(from, Math.min(all.size(), from + batch));
                StringBuilder sql = new StringBuilder("SELECT segment_key FROM " + SEGMENTS
                        + " WHERE status = ? AND segment_key IN (");
                for (int i = 0; i < part.size(); i++) {
                    sql.append(i == 0 ? "?" : ", ?");
                }
                sql.append(')');
                try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                    ps.setString(1, SegmentRecord.COMPLETE);
                    for (int i = 0; i < part.size(); i++) {
                        ps.setString(i + 2, part.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(1));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Streams that have indexed segments stored on {@code backend}. */
    List<String> streams(String backend) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT DISTINCT stream_id FROM " + SEGMENTS
                        + " WHERE backend = ? ORDER BY stream_id")) {
            ps.setString(1, backend);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** Keys of a stream's segments on {@code backend}, any status. */
    Set<String> keys(String streamId, String backend) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT segment_key FROM " + SEGMENTS
                        + " WHERE stream_id = ? AND backend = ?")) {
            ps.setString(1, streamId);
            ps.setString(2, backend);
            Set<String> out = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    // ---- per-stream settings ----

    List<StreamSetting> settings() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT stream_id, enabled, strategy, strategy_value, priority FROM "
                        + STREAMS)) {
            List<StreamSetting> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SegmentPolicy p = policy(rs.getString(3), rs.getLong(4), rs.wasNull());
                    out.add(new StreamSetting(rs.getString(1), rs.getBoolean(2), p, rs.getInt(5)));
                }
            }
            return out;
        }
    }

    void putSetting(StreamSetting s) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + STREAMS + " SET enabled = ?, strategy = ?, "
                        + "strategy_value = ?, updated_at = ?, priority = ? WHERE stream_id = ?")) {
                    bindSetting(ps, s);
                    ps.setString(6, s.streamId());
                    n = ps.executeUpdate();
                }
                if (n == 0) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + STREAMS
                            + " (enabled, strategy, strategy_value, updated_at, priority, stream_id) VALUES (?, ?, ?, ?, ?, ?)")) {
                        bindSetting(ps, s);
                        ps.setString(6, s.streamId());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    private static void bindSetting(PreparedStatement ps, StreamSetting s) throws SQLException {
        ps.setBoolean(1, s.enabled());
        if (s.policy() == null) {
            ps.setNull(2, Types.VARCHAR);
            ps.setNull(3, Types.BIGINT);
        } else {
            ps.setString(2, s.policy().strategy().jsonName());
            ps.setLong(3, s.policy().value());
        }
        ps.setLong(4, System.currentTimeMillis());
        ps.setInt(5, s.priority());
    }

    private static SegmentPolicy policy(String strategy, long value, boolean valueNull) {
        SegmentStrategy st = SegmentStrategy.parse(strategy);
        if (st == null || valueNull) {
            return null;
        }
        try {
            return new SegmentPolicy(st, value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---- helpers ----

    private List<SegmentRecord> segments(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof String s) {
                    ps.setString(i + 1, s);
                } else if (p instanceof Integer n) {
                    ps.setInt(i + 1, n);
                } else {
                    ps.setLong(i + 1, (Long) p);
                }
            }
            List<SegmentRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(segment(rs));
                }
            }
            return out;
        }
    }

    private static SegmentRecord segment(ResultSet rs) throws SQLException {
        long pts = rs.getLong(4);
        Long startPts = rs.wasNull() ? null : pts;
        return new SegmentRecord(rs.getString(1), rs.getString(2), rs.getString(3), startPts, rs.getLong(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getInt(9), rs.getString(10));
    }

    private static void setLong(PreparedStatement ps, int index, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, v);
        }
    }
}
