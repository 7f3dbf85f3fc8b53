package io.flux.media.recording.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Deletes complete segments, oldest first: those older than the age limit, then per stream down to the per-stream
 * byte limit, then overall down to the total limit. Segments are deleted where they live (any bound backend, or the
 * spool); those on a backend that is not installed right now are left for a later run.
 * Segments being written or uploaded are never candidates.
 */
final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final int BATCH = 200;

    /** Limits: {@code maxAgeMillis}, {@code maxBytesPerStream} and {@code maxBytesTotal}; 0 means no limit. */
    record Limits(long maxAgeMillis, long maxBytesPerStream, long maxBytesTotal) {
    }

    /** Segments deleted in one run, by reason. */
    record Report(int byAge, int byStreamBytes, int byTotalBytes, int errors) {
        int total() {
            return byAge + byStreamBytes + byTotalBytes;
        }
    }

    private final RecordingIndex index;
    private final RecordingMetrics metrics;

    Retention(RecordingIndex index, RecordingMetrics metrics) {
        this.index = index;
        this.metrics = metrics;
    }

    /** Deletes one segment where it lives; false when it cannot be deleted now. */
    interface Deleter {
        boolean delete(String key) throws IOException;
    }

    /**
     * One run over the segments on the backends {@code where} knows (backend names of the index, the spool
     * included).
     */
    Report run(Map<String, Deleter> where, Limits limits, long now, Predicate<String> busy) throws SQLException {
        int[] errors = {0};
        Set<String> backends = where.keySet();
        int byAge = 0;
        if (limits.maxAgeMillis() > 0) {
            long cutoff = now - limits.maxAgeMillis();
            while (true) {
                List<SegmentRecord> batch = index.endedBefore(cutoff, backends, BATCH);
                int deleted = deleteAll(where, batch, busy, "age", errors);
                byAge += deleted;
                if (batch.size() < BATCH || deleted == 0) {
                    break;
                }
            }
        }
        int byStream = 0;
        if (limits.maxBytesPerStream() > 0) {
            for (Map.Entry<String, Long> e : index.bytesPerStream().entrySet()) {
                long excess = e.getValue() - limits.maxBytesPerStream();
                while (excess > 0) {
                    List<SegmentRecord> batch = index.oldest(e.getKey(), backends, BATCH);
                    long[] freed = {0};
                    int deleted = deleteUntil(where, batch, busy, excess, freed, "stream_bytes", errors);
                    byStream += deleted;
                    excess -= freed[0];
                    if (deleted == 0) {
                        break;
                    }
                }
            }
        }
        int byTotal = 0;
        if (limits.maxBytesTotal() > 0) {
            long total = 0;
            for (long b : index.bytesPerStream().values()) {
                total += b;
            }
            long excess = total - limits.maxBytesTotal();
            while (excess > 0) {
                List<SegmentRecord> batch = index.oldest(backends, BATCH);
                long[] freed = {0};
                int deleted = deleteUntil(where, batch, busy, excess, freed, "total_bytes", errors);
                byTotal += deleted;
                excess -= freed[0];
                if (deleted == 0) {
                    break;
                }
            }
        }
        Report report = new Report(byAge, byStream, byTotal, errors[0]);
        if (report.total() > 0 || report.errors() > 0) {
            LOG.info("Retention deleted {} segments ({} by age, {} by per-stream bytes, {} by total bytes), {} errors",
                    report.total(), byAge, byStream, byTotal, report.errors());
        }
        return report;
    }

    private int deleteAll(Map<String, Deleter> where, List<SegmentRecord> batch, Predicate<String> busy, String reason,
            int[] errors) throws SQLException {
        int deleted = 0;
        for (SegmentRecord s : batch) {
            if (!busy.test(s.key()) && delete(where, s, errors)) {
                metrics.retentionDeleted(reason);
                deleted++;
            }
        }
        return deleted;
    }

    private int deleteUntil(Map<String, Deleter> where, List<SegmentRecord> batch, Predicate<String> busy, long excess,
            long[] freed, String reason, int[] errors) throws SQLException {
        int deleted = 0;
        for (SegmentRecord s : batch) {
            if (freed[0] >= excess) {
                break;
            }
            if (!busy.test(s.key()) && delete(where, s, errors)) {
                metrics.retentionDeleted(reason);
                freed[0] += s.bytes();
                deleted++;
            }
        }
        return deleted;
    }

    /** Deletes from storage, then from the index; a storage failure keeps the row so a later run retries. */
    private boolean delete(Map<String, Deleter> where, SegmentRecord s, int[] errors) throws SQLException {
        Deleter d = where.get(s.backend());
        if (d == null) {
            return false;
        }
        try {
            if (!d.delete(s.key())) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            errors[0]++;
            LOG.warn("Retention cannot delete {}: {}", s.key(), e.getMessage());
            return false;
        }
        index.delete(s.key());
        return true;
    }
}
