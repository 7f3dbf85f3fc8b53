package io.flux.media.recording.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The recorder's Prometheus metrics; label values are bounded (results, reasons), never stream ids.
 * <p>
 * {@code storage_write_bytes_total{backend}} and {@code storage_errors_total{backend,op,reason}} belong to the storage
 * backends, which see every byte and every failure (of the recorder's writes too); counting them here as well would
 * count everything twice. A registration the registry refuses leaves that metric uncounted (a null handle) rather
 * than failing the recorder.
 */
final class RecordingMetrics {

    static final String SEGMENTS = "recording_segments_total";
    static final String BYTES = "recording_bytes_total";
    static final String RETENTION_DELETED = "recording_retention_deleted_total";
    static final String STORAGE_AVAILABLE = "recording_storage_available";
    static final String OPEN_SEGMENTS = "recording_open_segments";
    static final String SPOOL_BYTES = "storage_spool_bytes";
    static final String SPOOL_SEGMENTS = "storage_spool_segments";

    private static final Logger LOG = LoggerFactory.getLogger(RecordingMetrics.class);

    private final MetricsRegistry registry;
    private final MetricsRegistry.Counter segments;
    private final MetricsRegistry.Counter bytes;
    private final MetricsRegistry.Counter retentionDeleted;
    private final MetricsRegistry.Gauge storageAvailable;
    private final MetricsRegistry.Gauge openSegments;
    private final MetricsRegistry.Gauge spoolBytes;
    private final MetricsRegistry.Gauge spoolSegments;

    RecordingMetrics(MetricsRegistry registry) {
        this.registry = registry;
        segments = counter(SEGMENTS, "Recorded segments by result: complete (stored on a backend), failed (lost "
                + "while recording: spool write error), evicted (deleted from a full spool before upload)", "result");
        bytes = counter(BYTES, "Bytes of fragmented MP4 the recorder produced");
        retentionDeleted = counter(RETENTION_DELETED, "Segments deleted by retention, by reason: age, "
                + "stream_bytes, total_bytes", "reason");
        storageAvailable = gauge(STORAGE_AVAILABLE, "1 when the recorder has a storage backend, else 0");
        openSegments = gauge(OPEN_SEGMENTS, "Segments being written right now");
        spoolBytes = gauge(SPOOL_BYTES, "Bytes in the recording spool: segments being recorded and finished ones "
                + "waiting for their storage backend");
        spoolSegments = gauge(SPOOL_SEGMENTS, "Finished segments in the recording spool waiting for (or in) upload");
    }

    private MetricsRegistry.Counter counter(String name, String help, String... labels) {
        try {
            return registry.counter(name, help, labels);
        } catch (RuntimeException e) {
            LOG.warn("Metric {} is not available to the recorder: {}", name, e.getMessage());
            return null;
        }
    }

    private MetricsRegistry.Gauge gauge(String name, String help) {
        try {
            return registry.gauge(name, help);
        } catch (RuntimeException e) {
            LOG.warn("Metric {} is not available to the recorder: {}", name, e.getMessage());
            return null;
        }
    }

    void segment(String result) {
        if (segments != null) {
            segments.inc(result);
        }
    }

    void bytes(long n) {
        if (bytes != null) {
            bytes.inc(n);
        }
    }

    void retentionDeleted(String reason) {
        if (retentionDeleted != null) {
            retentionDeleted.inc(reason);
        }
    }

    void storageAvailable(boolean available) {
        if (storageAvailable != null) {
            storageAvailable.set(available ? 1 : 0);
        }
    }

    void openSegments(int n) {
        if (openSegments != null) {
            openSegments.set(n);
        }
    }

    void spool(long bytes, int waiting) {
        if (spoolBytes != null) {
            spoolBytes.set(bytes);
        }
        if (spoolSegments != null) {
            spoolSegments.set(waiting);
        }
    }

    /** Unregisters this bundle's metrics (at deactivation). */
    void close() {
        for (String name : new String[] {SEGMENTS, BYTES, RETENTION_DELETED, STORAGE_AVAILABLE, OPEN_SEGMENTS,
            SPOOL_BYTES, SPOOL_SEGMENTS}) {
            try {
                registry.unregister(name);
            } catch (RuntimeException e) {
                LOG.debug("Cannot unregister {}: {}", name, e.getMessage());
            }
        }
    }
}
