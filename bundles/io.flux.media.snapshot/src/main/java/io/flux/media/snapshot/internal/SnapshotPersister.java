package io.flux.media.snapshot.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.stream.StreamState;

/**
 * Writes the latest snapshot of chosen streams to storage on a schedule, as
 * {@code {stream_id}/snapshots/{yyyyMMdd}/{epochMillis}.jpg} (UTC date, capture time). A picture already
 * written (the stream stalled) is not written again. One background thread; a round never overlaps the next.
 */
final class SnapshotPersister implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPersister.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    static final String ALL = "*";

    /** What to persist and how often; {@code all} means every live stream. */
    record Plan(boolean all, List<StreamId> streams, Duration interval) {
        boolean active() {
            return (all || !streams.isEmpty()) && !interval.isZero() && !interval.isNegative();
        }
    }

    private final SnapshotEngine engine;
    private final StreamRegistry registry;
    private final Supplier<StorageBackend> storage;
    private final ScheduledExecutorService scheduler;
    private final Map<StreamId, Instant> lastWritten = new ConcurrentHashMap<>();
    /** Streams whose failure has been logged; cleared on success, so each episode logs once. */
    private final Set<StreamId> failing = ConcurrentHashMap.newKeySet();
    private volatile boolean storageMissingLogged;
    private Plan plan = new Plan(false, List.of(), Duration.ZERO);
    private ScheduledFuture<?> task;

    SnapshotPersister(SnapshotEngine engine, StreamRegistry registry, Supplier<StorageBackend> storage) {
        this.engine = engine;
        this.registry = registry;
        this.storage = storage;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flux-snapshot-persist");
            t.setDaemon(true);
            return t;
        });
    }

    /** Parses {@code persist.streams}: stream ids or {@code *}; invalid ids are logged and skipped. */
    static Plan plan(String[] streams, int intervalSeconds) {
        boolean all = false;
        Set<StreamId> ids = new LinkedHashSet<>();
        for (String s : streams == null ? new String[0] : streams) {
            String v = s == null ? "" : s.trim();
            if (v.isEmpty()) {
                continue;
            }
            if (v.equals(ALL)) {
                all = true;
                continue;
            }
            String problem = StreamId.problem(v);
            if (problem != null) {
                LOG.warn("persist.streams: ignoring invalid stream id '{}': {}", v, problem);
                continue;
            }
            ids.add(StreamId.of(v));
        }
        return new Plan(all, List.copyOf(ids), Duration.ofSeconds(Math.max(0, intervalSeconds)));
    }

    /** Applies a new plan, rescheduling only when it changed. */
    synchronized void configure(Plan next) {
        if (next.equals(plan) && (task != null) == next.active()) {
            return;
        }
        plan = next;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        if (next.active()) {
            long ms = next.interval().toMillis();
            task = scheduler.scheduleWithFixedDelay(this::runSafely, ms, ms, TimeUnit.MILLISECONDS);
            LOG.info("Persisting snapshots of {} every {} s", next.all() ? "every live stream" : next.streams(),
                    next.interval().toSeconds());
        }
    }

    synchronized Plan currentPlan() {
        return plan;
    }

    private void runSafely() {
        try {
            persistOnce();
        } catch (RuntimeException e) {
            // A thrown exception would cancel the schedule for good.
            LOG.warn("Snapshot persistence round failed", e);
        }
    }

    /** One round; returns the keys written. */
    List<String> persistOnce() {
        Plan p = currentPlan();
        List<String> written = new ArrayList<>();
        StorageBackend backend = storage.get();
        if (backend == null) {
            if (!storageMissingLogged) {
                storageMissingLogged = true;
                LOG.warn("No storage backend matches storage.target: snapshots are not persisted");
            }
            return written;
        }
        storageMissingLogged = false;
        for (StreamId id : targets(p)) {
            try {
                // Auto with the configured max age: a recent cached picture is as good as a new decode.
                SnapshotEngine.Result r = engine.take(new SnapshotEngine.Query(id, SnapshotMode.AUTO, null, null,
                        0, 0));
                Snapshot s = r.snapshot();
                if (s.capturedAt().equals(lastWritten.get(id))) {
                    continue;
                }
                String key = key(id, s.capturedAt());
                backend.write(key, new ByteArrayInputStream(s.jpeg()));
                lastWritten.put(id, s.capturedAt());
                failing.remove(id);
                written.add(key);
            } catch (SnapshotFailure e) {
                if (e.reason() == SnapshotFailure.Reason.UNKNOWN_STREAM
                        || e.reason() == SnapshotFailure.Reason.NO_KEYFRAME) {
                    // Not live (yet): nothing to persist, nothing to report.
                    LOG.debug("Not persisting a snapshot of {}: {}", id, e.getMessage());
                } else {
                    logOnce(id, e.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                engine.failedRequest("persist_failed");
                logOnce(id, e.toString());
            }
        }
        if (!p.all()) {
            lastWritten.keySet().retainAll(p.streams());
        }
        return written;
    }

    private List<StreamId> targets(Plan p) {
        if (!p.all()) {
            return p.streams();
        }
        Set<StreamId> ids = new LinkedHashSet<>(p.streams());
        for (StreamInfo info : registry.streams()) {
            if (info.state() == StreamState.LIVE) {
                ids.add(info.id());
            }
        }
        // Forget streams that went away, so the map stays bounded.
        lastWritten.keySet().retainAll(ids);
        return List.copyOf(ids);
    }

    private void logOnce(StreamId id, String why) {
        if (failing.add(id)) {
            LOG.warn("Cannot persist a snapshot of {}: {}", id, why);
        }
    }

    static String key(StreamId id, Instant capturedAt) {
        return id.value() + "/snapshots/" + DAY.format(capturedAt) + "/" + capturedAt.toEpochMilli() + ".jpg";
    }

    @Override
    public void close() {
        synchronized (this) {
            if (task != null) {
                task.cancel(false);
                task = null;
            }
        }
        scheduler.shutdownNow();
    }
}
