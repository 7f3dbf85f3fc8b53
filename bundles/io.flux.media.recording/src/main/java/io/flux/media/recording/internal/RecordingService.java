package io.flux.media.recording.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.persistence.Database;
import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.stream.VideoFormat;

/**
 * The recorder: one subscription to the stream registry for the streams being recorded, one {@link StreamRecorder}
 * per live recorded stream, one upload (a virtual thread running the backend's write over a {@link BoundedPipe})
 * per open segment, the index in the platform database, and a maintenance thread for retention and reindexing.
 */
@Component(service = RecordingService.class, configurationPid = RecordingService.Config.PID, immediate = true)
@Designate(ocd = RecordingService.Config.class)
@HotUpdatable({"record.by.default", "storage.target", "segment.strategy", "segment.duration.seconds",
    "segment.size.bytes", "segment.gops", "fragment.max.ms", "retention.days", "retention.max.bytes.per.stream",
    "retention.max.bytes.total", "retention.interval.seconds", "pipe.buffer.kib", "write.stall.timeout.ms"})
public class RecordingService implements MediaListener, SegmentTarget.Store {

    /** The database owner of this bundle's tables. */
    static final String OWNER = "io.flux.media.recording";
    static final String DEFAULT_STORAGE_TARGET = "(flux.storage.type=local)";

    @ObjectClassDefinition(name = "Flux recording", description = "Records live streams into fragmented MP4 "
            + "segments on a storage backend, indexes them and enforces retention.")
    public @interface Config {
        String PID = "io.flux.media.recording";

        @AttributeDefinition(name = "Record by default", description = "Record every stream that has no "
                + "per-stream choice (POST /api/v1/streams/{id}/record/start|stop sets one). Hot-updatable.")
        boolean record_by_default() default false;

        @AttributeDefinition(name = "Storage backend", description = "LDAP filter selecting the storage backend "
                + "service segments are written to, by its flux.storage.type property (local, nas, s3). Changing it "
                + "switches backends at runtime; segments already open finish on the old one. Hot-updatable.")
        String storage_target() default DEFAULT_STORAGE_TARGET;

        @AttributeDefinition(name = "Segment strategy", description = "When a new segment starts (always at a "
                + "keyframe): after a duration (TIME), a size (SIZE) or a number of GOPs (GOPS). Streams may "
                + "override it. Applies from the next segment. Hot-updatable.")
        SegmentStrategy segment_strategy() default SegmentStrategy.TIME;

        @AttributeDefinition(name = "Segment duration (s)", description = "Segment length for the TIME strategy, "
                + "1-86400 seconds. Hot-updatable.", min = "1", max = "86400")
        int segment_duration_seconds() default 60;

        @AttributeDefinition(name = "Segment size (bytes)", description = "Segment size for the SIZE strategy, at "
                + "least 65536 bytes; a segment ends at the first keyframe past it. Hot-updatable.", min = "65536")
        long segment_size_bytes() default 268_435_456L;

        @AttributeDefinition(name = "Segment GOPs", description = "GOPs per segment for the GOPS strategy. "
                + "Hot-updatable.", min = "1", max = "1000000")
        int segment_gops() default 30;

        @AttributeDefinition(name = "Fragment length (ms)", description = "Longest MP4 fragment: a fragment ends "
                + "at every keyframe and at the latest after this long. Hot-updatable.", min = "100", max = "60000")
        int fragment_max_ms() default 1000;

        @AttributeDefinition(name = "Retention (days)", description = "Segments older than this are deleted; 0 "
                + "keeps them forever. Hot-updatable.", min = "0")
        int retention_days() default 30;

        @AttributeDefinition(name = "Retention bytes per stream", description = "Oldest segments of a stream are "
                + "deleted while its segments total more than this; 0 means no limit. Hot-updatable.", min = "0")
        long retention_max_bytes_per_stream() default 0;

        @AttributeDefinition(name = "Retention bytes in total", description = "Oldest segments of any stream are "
                + "deleted while all segments total more than this; 0 means no limit. Hot-updatable.", min = "0")
        long retention_max_bytes_total() default 0;

        @AttributeDefinition(name = "Retention interval (s)", description = "How often the retention job runs. "
                + "Hot-updatable.", min = "10")
        int retention_interval_seconds() default 300;

        @AttributeDefinition(name = "Write buffer (KiB)", description = "Bytes of a segment held in memory while "
                + "the backend writes, per open segment. Applies from the next segment. Hot-updatable.",
                min = "256")
        int pipe_buffer_kib() default 8192;

        @AttributeDefinition(name = "Write stall timeout (ms)", description = "How long the recorder waits for a "
                + "storage backend that does not take data before it gives the segment up (the next segment starts "
                + "at the next keyframe). Applies from the next segment. Hot-updatable.", min = "100")
        int write_stall_timeout_ms() default 5000;

        @AttributeDefinition(name = "Queued GOPs", description = "How many GOPs the recorder may fall behind live "
                + "before the media core drops whole GOPs for it. Restart-only.", min = "1", max = "1000")
        int max_queued_gops() default 8;

        @AttributeDefinition(name = "Reindex at start", description = "Rebuild the index from storage in the "
                + "background when the recorder starts or a backend appears (recovers segments closed just before a "
                + "crash and drops rows of segments that were never stored). Restart-only.")
        boolean reindex_on_start() default true;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordingService.class);
    private static final long SHUTDOWN_WAIT_MILLIS = 15_000;

    private final StreamRegistry registry;
    private final RecordingMetrics metrics;
    private final RecordingIndex index;
    private final Retention retention;
    private final Reindexer reindexer;
    private final LongSupplier clock;
    private final ScheduledExecutorService maintenance;
    private final Map<StreamId, StreamRecorder> recorders = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, StreamSetting> settings = new ConcurrentHashMap<>();
    private final AtomicBoolean noStorageLogged = new AtomicBoolean();
    private final AtomicBoolean reindexRunning = new AtomicBoolean();
    private final AtomicReference<ReindexState> reindexState = new AtomicReference<>(ReindexState.never());
    private final boolean reindexOnStart;

    private volatile Config config;
    private volatile StorageBackend storage;
    private volatile boolean active;
    private StreamRegistry.Subscription subscription;
    private ScheduledFuture<?> retentionTask;

    @Activate
    public RecordingService(@Reference StreamRegistry registry, @Reference Database database,
            @Reference MetricsRegistry metricsRegistry, Config config) {
        this(registry, database, metricsRegistry, config, System::currentTimeMillis);
    }

    RecordingService(StreamRegistry registry, Database database, MetricsRegistry metricsRegistry, Config config,
            LongSupplier clock) {
        this.registry = registry;
        this.config = config;
        this.clock = clock;
        this.reindexOnStart = config.reindex_on_start();
        database.migrate(OWNER, RecordingIndex.MIGRATIONS);
        this.index = new RecordingIndex(database.dataSource());
        this.metrics = new RecordingMetrics(metricsRegistry);
        this.retention = new Retention(index, metrics);
        this.reindexer = new Reindexer(index);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flux-recording-maintenance");
            t.setDaemon(true);
            return t;
        });
        try {
            for (StreamSetting s : index.settings()) {
                settings.put(s.streamId(), s);
            }
        } catch (SQLException e) {
            LOG.warn("Cannot read per-stream recording settings; using the default for every stream: {}",
                    e.getMessage());
        }
    }

    /** Runs after the dynamic references are bound, so a backend that is already there gets the first segment. */
    @Activate
    void activate() {
        active = true;
        metrics.storageAvailable(storage != null);
        scheduleRetention();
        if (storage != null) {
            onStorageAppeared();
        } else {
            // Normal at start-up: storage backends are features installed after the core. Dropping a segment
            // or losing the backend later is what warns.
            LOG.info("Waiting for a storage backend matching {}", config.storage_target());
        }
        // The registry applies a filter only when a stream opens, so a filter of "streams being recorded" would miss
        // a live stream whose recording is switched on later: every stream is delivered and onSample decides.
        subscription = registry.subscribe("recording", id -> true, config.max_queued_gops(), this);
    }

    @Modified
    void modified(Config newConfig) {
        this.config = newConfig;
        scheduleRetention();
        for (StreamRecorder r : recorders.values()) {
            if (!shouldRecord(r.stream())) {
                stopRecorder(r.stream());
            }
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        if (subscription != null) {
            subscription.close();
        }
        for (StreamId id : List.copyOf(recorders.keySet())) {
            stopRecorder(id);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_WAIT_MILLIS);
        for (Upload u : List.copyOf(uploads.values())) {
            try {
                if (!u.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("Segment {} is still being stored at shutdown", u.key);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        maintenance.shutdownNow();
        metrics.close();
    }

    // ---- storage backend ----

    @Reference(name = "storage", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = DEFAULT_STORAGE_TARGET)
    void bindStorage(StorageBackend backend) {
        storage = backend;
        noStorageLogged.set(false);
        LOG.info("Recording to storage backend {}", backend.type());
        if (active) {
            metrics.storageAvailable(true);
            onStorageAppeared();
        }
    }

    void unbindStorage(StorageBackend backend) {
        if (storage == backend) {
            storage = null;
            if (active) {
                metrics.storageAvailable(false);
                noteNoStorage();
            }
        }
    }

    private void onStorageAppeared() {
        if (reindexOnStart) {
            startReindex();
        }
    }

    private void noteNoStorage() {
        if (noStorageLogged.compareAndSet(false, true)) {
            LOG.warn("No storage backend matches {}: recorded segments are dropped until one is available",
                    config.storage_target());
        }
    }

    Optional<StorageBackend> storage() {
        return Optional.ofNullable(storage);
    }

    // ---- media listener ----

    boolean shouldRecord(StreamId id) {
        StreamSetting s = settings.get(id.value());
        return s != null ? s.enabled() : config.record_by_default();
    }

    @Override
    public void onStreamStart(StreamInfo stream) {
        // Recorders are created on the first sample: the first video sample is a keyframe.
    }

    @Override
    public void onSample(StreamId stream, MediaSample sample) {
        StreamRecorder r = recorders.get(stream);
        if (r == null) {
            if (!active || !shouldRecord(stream)) {
                return;
            }
            r = recorders.computeIfAbsent(stream, this::newRecorder);
        }
        if (sample instanceof VideoSample v) {
            r.onVideo(v);
        } else if (sample instanceof AudioSample a) {
            r.onAudio(a);
        }
    }

    @Override
    public void onStreamEnd(StreamId stream) {
        StreamRecorder r = recorders.remove(stream);
        if (r != null) {
            r.close();
        }
    }

    @Override
    public void onGopsDropped(StreamId stream, int gops) {
        StreamRecorder r = recorders.get(stream);
        if (r != null) {
            LOG.debug("Stream {}: recorder fell behind, {} GOPs dropped; the segment ends here", stream, gops);
            r.onGap();
        }
    }

    private StreamRecorder newRecorder(StreamId id) {
        return new StreamRecorder(id, this, () -> recorderSettings(id), () -> formats(id), clock);
    }

    private StreamRecorder.Settings recorderSettings(StreamId id) {
        Config c = config;
        return new StreamRecorder.Settings(policyFor(id, c), c.fragment_max_ms() * 90L);
    }

    private StreamRecorder.Formats formats(StreamId id) {
        Optional<StreamInfo> info = registry.stream(id);
        if (info.isEmpty()) {
            return null;
        }
        VideoFormat v = info.get().video();
        AudioFormat a = info.get().audio();
        return new StreamRecorder.Formats() {
            @Override
            public VideoFormat video() {
                return v;
            }

            @Override
            public AudioFormat audio() {
                return a;
            }
        };
    }

    /** The segment policy of a stream: its own, else the configured default (clamped into range). */
    SegmentPolicy policyFor(StreamId id, Config c) {
        StreamSetting s = settings.get(id.value());
        if (s != null && s.policy() != null) {
            return s.policy();
        }
        return defaultPolicy(c);
    }

    static SegmentPolicy defaultPolicy(Config c) {
        SegmentStrategy st = c.segment_strategy() != null ? c.segment_strategy() : SegmentStrategy.TIME;
        long v = switch (st) {
            case TIME -> c.segment_duration_seconds();
            case SIZE -> c.segment_size_bytes();
            case GOPS -> c.segment_gops();
        };
        return new SegmentPolicy(st, Math.max(st.min, Math.min(st.max, v)));
    }

    private void stopRecorder(StreamId id) {
        StreamRecorder r = recorders.remove(id);
        if (r != null) {
            r.close();
        }
    }

    // ---- segment store ----

    @Override
    public SegmentTarget open(StreamId stream, long startMillis, long sequence, long startDts) {
        StorageBackend b = storage;
        if (b == null) {
            noteNoStorage();
            return new DroppedSegment();
        }
        Config c = config;
        String key = SegmentKeys.key(stream, startMillis, sequence);
        BoundedPipe pipe = new BoundedPipe(c.pipe_buffer_kib() * 1024L, c.write_stall_timeout_ms());
        Upload u = new Upload(key, stream, startMillis, startDts, b, pipe);
        uploads.put(key, u);
        metrics.openSegments(uploads.size());
        Thread.ofVirtual().name("flux-recording-upload").start(u);
        return u;
    }

    /** Keys of segments being written right now. */
    boolean isOpen(String key) {
        return uploads.containsKey(key);
    }

    /** A segment written through the pipe by the backend on a virtual thread; indexed when the backend is done. */
    final class Upload implements SegmentTarget, Runnable {

        final String key;
        final StreamId stream;
        final long startMillis;
        final long startDts;
        final StorageBackend backend;
        final String backendType;
        final BoundedPipe pipe;
        final CountDownLatch done = new CountDownLatch(1);
        private volatile Summary summary;
        private final SegmentWriter.Output output;

        Upload(String key, StreamId stream, long startMillis, long startDts, StorageBackend backend,
                BoundedPipe pipe) {
            this.key = key;
            this.stream = stream;
            this.startMillis = startMillis;
            this.startDts = startDts;
            this.backend = backend;
            this.backendType = backend.type();
            this.pipe = pipe;
            this.output = (data, length) -> {
                pipe.write(data, length);
                metrics.bytes(length);
            };
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public SegmentWriter.Output output() {
            return output;
        }

        @Override
        public void complete(Summary s) {
            summary = s;
            pipe.finish();
        }

        @Override
        public void abort(IOException cause) {
            pipe.fail(cause);
        }

        @Override
        public void run() {
            // The open row marks the segment for crash recovery; written beside the upload so a slow database
            // cannot stall the pipe.
            Thread marker = Thread.ofVirtual().name("flux-recording-index").start(() -> {
                try {
                    index.insertOpen(new SegmentRecord(key, stream.value(), backendType, startDts, startMillis,
                            startMillis, 0, 0, 0, SegmentRecord.RECORDING));
                } catch (SQLException e) {
                    LOG.debug("Cannot mark segment {} as open: {}", key, e.getMessage());
                }
            });
            boolean stored = false;
            try {
                long written;
                try {
                    written = backend.write(key, pipe);
                    stored = true;
                } finally {
                    pipe.close();
                }
                joinQuietly(marker);
                Summary s = summary;
                if (s == null) {
                    throw new IOException("the backend finished before the segment was complete");
                }
                SegmentRecord rec = new SegmentRecord(key, stream.value(), backendType, s.startDts(),
                        s.startMillis(), s.endMillis(), s.durationMillis(), written, s.keyframes().size(),
                        SegmentRecord.COMPLETE);
                metrics.segment("complete");
                try {
                    index.putComplete(rec, s.keyframeRecords());
                } catch (SQLException e) {
                    LOG.warn("Segment {} is stored but not indexed ({}); the next reindex adds it", key,
                            e.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                pipe.fail(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
                joinQuietly(marker);
                metrics.segment("failed");
                LOG.warn("Segment {} lost: {}", key, e.getMessage());
                if (stored) {
                    // The backend kept an incomplete object (it stopped reading early): remove it.
                    try {
                        backend.delete(key);
                    } catch (IOException | RuntimeException ex) {
                        LOG.warn("Cannot remove incomplete segment {}: {}", key, ex.getMessage());
                    }
                }
                try {
                    index.delete(key);
                } catch (SQLException ex) {
                    LOG.debug("Cannot drop the row of lost segment {}: {}", key, ex.getMessage());
                }
            } finally {
                uploads.remove(key);
                metrics.openSegments(uploads.size());
                done.countDown();
            }
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A segment with nowhere to go: counted, then forgotten. */
    private final class DroppedSegment implements SegmentTarget {
        @Override
        public String key() {
            return null;
        }

        @Override
        public SegmentWriter.Output output() {
            return (data, length) -> {
            };
        }

        @Override
        public void complete(Summary summary) {
            metrics.segment("dropped");
        }

        @Override
        public void abort(IOException cause) {
            metrics.segment("dropped");
        }
    }

    // ---- maintenance ----

    private synchronized void scheduleRetention() {
        if (retentionTask != null) {
            retentionTask.cancel(false);
        }
        long interval = Math.max(10, config.retention_interval_seconds());
        retentionTask = maintenance.scheduleWithFixedDelay(this::retentionQuietly, interval, interval,
                TimeUnit.SECONDS);
    }

    private void retentionQuietly() {
        try {
            runRetention();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Retention run failed: {}", e.getMessage());
        }
    }

    /** One retention pass; empty when there is no backend to delete from. */
    Optional<Retention.Report> runRetention() throws SQLException {
        StorageBackend b = storage;
        if (b == null) {
            return Optional.empty();
        }
        Config c = config;
        Retention.Limits limits = new Retention.Limits(TimeUnit.DAYS.toMillis(Math.max(0, c.retention_days())),
                Math.max(0, c.retention_max_bytes_per_stream()), Math.max(0, c.retention_max_bytes_total()));
        return Optional.of(retention.run(b, limits, clock.getAsLong(), this::isOpen));
    }

    /** State of the last or current reindex run. */
    record ReindexState(String state, Instant startedAt, Instant finishedAt, String backend, Reindexer.Report report,
            String error) {
        static ReindexState never() {
            return new ReindexState("idle", null, null, null, null, null);
        }
    }

    ReindexState reindexState() {
        return reindexState.get();
    }

    /** Starts a background reindex unless one is running; returns the state right after. */
    ReindexState startReindex() {
        StorageBackend b = storage;
        if (b == null) {
            throw new IllegalStateException("no storage backend");
        }
        if (reindexRunning.compareAndSet(false, true)) {
            reindexState.set(new ReindexState("running", Instant.ofEpochMilli(clock.getAsLong()), null, b.type(),
                    null, null));
            try {
                maintenance.execute(() -> reindexNow(b));
            } catch (RuntimeException e) {
                reindexRunning.set(false);
                reindexState.set(ReindexState.never());
                throw e;
            }
        }
        return reindexState.get();
    }

    /** Runs a reindex on this thread (the maintenance thread, or a test). */
    ReindexState reindexNow(StorageBackend b) {
        reindexRunning.set(true);
        Instant started = Instant.ofEpochMilli(clock.getAsLong());
        ReindexState result;
        try {
            Reindexer.Report r = reindexer.run(b, this::isOpen);
            result = new ReindexState("done", started, Instant.ofEpochMilli(clock.getAsLong()), b.type(), r, null);
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.warn("Reindex of backend {} failed: {}", b.type(), e.getMessage());
            result = new ReindexState("failed", started, Instant.ofEpochMilli(clock.getAsLong()), b.type(), null,
                    e.getMessage());
        } finally {
            reindexRunning.set(false);
        }
        reindexState.set(result);
        return result;
    }

    // ---- queries and commands for the REST resources ----

    /** Recording state of a stream as the status endpoint reports it. */
    record Status(StreamId stream, boolean enabled, boolean explicit, SegmentPolicy policy, boolean policyExplicit,
            StreamRecorder.Status recorder, String backend) {
    }

    Status status(StreamId id) {
        StreamSetting s = settings.get(id.value());
        Config c = config;
        boolean enabled = s != null ? s.enabled() : c.record_by_default();
        StreamRecorder r = recorders.get(id);
        StorageBackend b = storage;
        return new Status(id, enabled, s != null, policyFor(id, c), s != null && s.policy() != null,
                r != null ? r.status() : null, b != null ? b.type() : null);
    }

    /** Turns recording on for a stream (persisted); {@code policy} null means the configured default. */
    Status start(StreamId id, SegmentPolicy policy) throws SQLException {
        StreamSetting s = new StreamSetting(id.value(), true, policy);
        index.putSetting(s);
        settings.put(id.value(), s);
        return status(id);
    }

    /** Turns recording off for a stream (persisted) and closes its open segment. */
    Status stop(StreamId id) throws SQLException {
        StreamSetting old = settings.get(id.value());
        StreamSetting s = new StreamSetting(id.value(), false, old != null ? old.policy() : null);
        index.putSetting(s);
        settings.put(id.value(), s);
        stopRecorder(id);
        return status(id);
    }

    List<SegmentRecord> list(StreamId id, long from, long to, int limit) throws SQLException {
        return index.list(id.value(), from, to, limit);
    }

    Optional<RecordingIndex.Location> locate(StreamId id, long t) throws SQLException {
        return index.locate(id.value(), t);
    }

    Optional<RecordingIndex.Location> nearestKeyframe(StreamId id, long t) throws SQLException {
        return index.nearestKeyframe(id.value(), t);
    }

    /** A stored segment ready to be read; {@code fileName} is the key's last segment. */
    record Download(String key, String fileName, long size, Instant lastModified, StorageBackend backend) {
    }

    /** Why a segment cannot be served. */
    static final class DownloadException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        DownloadException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Finds a segment by stream and name. The index decides which backend holds it; a segment missing from the index
     * (index lost, not yet rebuilt) is still served when the active backend has it.
     */
    Download download(StreamId id, String name) throws SQLException, DownloadException {
        Optional<String> key = SegmentKeys.keyOfName(id, name);
        if (key.isEmpty()) {
            throw new DownloadException(404, "no segment '" + name + "' (names look like 1700000000000-0)");
        }
        if (uploads.containsKey(key.get())) {
            throw new DownloadException(409, "segment " + name + " is still being recorded");
        }
        Optional<SegmentRecord> rec = index.segment(key.get());
        StorageBackend b = storage;
        if (b == null) {
            throw new DownloadException(503, "no storage backend is available");
        }
        if (rec.isPresent() && !rec.get().backend().equals(b.type())) {
            throw new DownloadException(503, "segment " + name + " is stored on backend " + rec.get().backend()
                    + ", which is not the active one (" + b.type() + ")");
        }
        Optional<StorageObject> o;
        try {
            o = b.stat(key.get());
        } catch (IOException | RuntimeException e) {
            throw new DownloadException(503, "storage backend " + b.type() + " failed: " + e.getMessage());
        }
        if (o.isEmpty()) {
            throw new DownloadException(404, "no segment " + name + " for stream " + id);
        }
        String file = key.get().substring(key.get().lastIndexOf('/') + 1);
        return new Download(key.get(), file, o.get().size(), o.get().lastModified(), b);
    }

    /** Live counts, for diagnostics and tests. */
    Map<String, Object> counts() {
        Map<String, Object> m = new HashMap<>();
        m.put("recording_streams", recorders.size());
        m.put("open_segments", uploads.size());
        return m;
    }
}
