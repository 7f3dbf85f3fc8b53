package io.flux.media.recording.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;

/**
 * Rebuilds the index from storage. Pass one lists the backend and scans every segment the index does not hold as
 * complete (lost index, crash between the backend's rename and the index update), reading only moov and moof boxes.
 * Pass two drops index rows of this backend whose object is gone (deleted behind our back, or a crash before the
 * rename left a {@code recording} row). Segments being written are left alone.
 */
final class Reindexer {

    private static final Logger LOG = LoggerFactory.getLogger(Reindexer.class);
    private static final int PAGE = 1000;

    /** Counts of one run. */
    record Report(int listed, int added, int removed, int failed) {
    }

    private final RecordingIndex index;

    Reindexer(RecordingIndex index) {
        this.index = index;
    }

    Report run(StorageBackend backend, Predicate<String> open) throws IOException, SQLException {
        String type = backend.type();
        int listed = 0;
        int added = 0;
        int failed = 0;
        String token = null;
        do {
            StoragePage page = list(backend, "", token);
            Map<String, StorageObject> segments = new HashMap<>();
            for (StorageObject o : page.objects()) {
                if (SegmentKeys.parse(o.key()).isPresent() && !open.test(o.key())) {
                    segments.put(o.key(), o);
                }
            }
            listed += segments.size();
            Set<String> known = index.completeAmong(segments.keySet());
            for (StorageObject o : segments.values()) {
                if (known.contains(o.key())) {
                    continue;
                }
                if (rebuild(backend, o)) {
                    added++;
                } else {
                    failed++;
                }
            }
            token = page.nextToken();
        } while (token != null);

        int removed = 0;
        for (String stream : index.streams(type)) {
            Set<String> keys = index.keys(stream, type);
            String prefix = stream + SegmentKeys.SEGMENTS;
            String t = null;
            do {
                StoragePage page = list(backend, prefix, t);
                for (StorageObject o : page.objects()) {
                    keys.remove(o.key());
                }
                t = page.nextToken();
            } while (t != null && !keys.isEmpty());
            for (String key : keys) {
                if (!open.test(key) && index.delete(key)) {
                    removed++;
                }
            }
        }
        Report report = new Report(listed, added, removed, failed);
        LOG.info("Reindex of backend {}: {} segments in storage, {} added to the index, {} stale rows removed, "
                + "{} unreadable", type, listed, added, removed, failed);
        return report;
    }

    private StoragePage list(StorageBackend backend, String prefix, String token) throws IOException {
        try {
            return backend.list(prefix, token, PAGE);
        } catch (IOException | RuntimeException e) {
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Scans one stored segment and indexes it; false when it cannot be read or parsed. */
    private boolean rebuild(StorageBackend backend, StorageObject o) throws SQLException {
        try {
            rebuild(backend, o.key());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Reindex cannot read segment {}: {}", o.key(), e.getMessage());
            return false;
        }
    }

    /** Scans the segment {@code key} on {@code backend} and indexes it as complete there. */
    void rebuild(StorageBackend backend, String key) throws IOException, SQLException {
        try (InputStream in = backend.read(key, 0, -1)) {
            index(key, backend.type(), in);
        }
    }

    /** Scans a local copy of the segment {@code key} and indexes it as complete on {@code backendName}. */
    void rebuildFromFile(Path file, String key, String backendName) throws IOException, SQLException {
        try (InputStream in = Files.newInputStream(file)) {
            index(key, backendName, in);
        }
    }

    private void index(String key, String backendName, InputStream in) throws IOException, SQLException {
        Optional<SegmentKeys.Parsed> parsed = SegmentKeys.parse(key);
        if (parsed.isEmpty()) {
            throw new IOException("'" + key + "' is not a segment key");
        }
        Mp4Scanner.Result r = Mp4Scanner.scan(in);
        long start = parsed.get().startMillis();
        List<KeyframeRecord> keyframes = new ArrayList<>(r.keyframes().size());
        for (Mp4Scanner.Keyframe k : r.keyframes()) {
            keyframes.add(new KeyframeRecord(start + r.offsetMillis(k.decodeTime()), k.moofOffset()));
        }
        long duration = r.durationMillis();
        index.putComplete(new SegmentRecord(key, parsed.get().stream().value(), backendName, null, start,
                start + duration, duration, r.bytes(), keyframes.size(), SegmentRecord.COMPLETE), keyframes);
    }
}
