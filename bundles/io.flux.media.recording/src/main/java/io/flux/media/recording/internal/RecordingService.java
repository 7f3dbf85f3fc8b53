package io.flux.media.recording.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
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
import io.flux.media.api.server.ServerEnvironment;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.stream.VideoFormat;
import io.flux.media.storage.common.StorageMetrics;

/**
 * The recorder: one subscription to the stream registry for the streams being recorded, one {@link StreamRecorder}
 * per live recorded stream writing each segment into the local {@link Spool}, an {@link Uploader} that moves finished
 * segments to the storage backend chosen by {@code storage.target} (in order, retrying while the backend is down,
 * so a backend outage or swap never costs a segment), the index in the platform database (which knows where each
 * segment lives: on a backend or still in the spool), and a maintenance thread for retention and reindexing.
 */
@Component(service = RecordingService.class, configurationPid = RecordingService.Config.PID, immediate = true)
@Designate(ocd = RecordingService.Config.class)
@HotUpdatable({"record.by.default", "storage.target", "segment.strategy", "segment.duration.seconds",
    "segment.size.bytes", "segment.gops", "fragment.max.ms", "retention.days", "retention.max.bytes.per.stream",
    "retention.max.bytes.total", "retention.interval.seconds", "spool.max.bytes", "spool.fsync"})
public class RecordingService implements MediaListener, SegmentTarget.Store, Spool.Listener {

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
                + "service segments are stored on, by its flux.storage.type property (local, nas, s3). Changing it "
                + "switches backends at runtime: segments that began before the change still go to the old one, "
                + "the next ones to the new one. Hot-updatable.")
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

        @AttributeDefinition(name = "Spool directory", description = "Local directory every segment is written "
                + "to first and kept in until a storage backend holds it (empty: recording-spool in the data "
                + "directory). On the same file system as the local backend, storing there is a rename. "
                + "Restart-only.")
        String spool_dir() default "";

        @AttributeDefinition(name = "Spool limit (bytes)", description = "Most bytes the spool may hold. When a "
                + "backend is down long enough to fill it, the oldest waiting segments of the lowest-priority "
                + "streams are deleted first (counted in recording_segments_total{result=\"evicted\"} and logged "
                + "as errors). Hot-updatable.", min = "1048576")
        long spool_max_bytes() default 10L * 1024 * 1024 * 1024;

        @AttributeDefinition(name = "Sync spooled segments", description = "fsync each segment when it is complete "
                + "in the spool, so a finished segment survives a power cut before it is uploaded. Hot-updatable.")
        boolean spool_fsync() default true;

        @AttributeDefinition(name = "Upload workers", description = "Segments uploaded to storage backends at the "
                + "same time (one per stream at most, so each stream's segments arrive in order). Restart-only.",
                min = "1", max = "64")
        int upload_workers() default 4;

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
    /** The index's name for segments that are still in the spool. */
    static final String SPOOL = "spool";

    private final StreamRegistry registry;
    private final RecordingMetrics metrics;
    private final RecordingIndex index;
    private final Retention retention;
    private final Reindexer reindexer;
    private final LongSupplier clock;
    private final ScheduledExecutorService maintenance;
    private final Map<StreamId, StreamRecorder> recorders = new ConcurrentHashMap<>();
    private final Map<String, SpooledSegment> writing = new ConcurrentHashMap<>();
    private final Map<StorageBackend, Map<String, Object>> backends = new ConcurrentHashMap<>();
    private final Spool spool;
    private final Uploader uploader;
    private final StorageMetrics spoolMetrics = new StorageMetrics(SPOOL);
    private final Map<String, StreamSetting> settings = new ConcurrentHashMap<>();
    private final AtomicBoolean noStorageLogged = new AtomicBoolean();
    private final Set<Thread> sealing = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reindexRunning = new AtomicBoolean();
    private final AtomicReference<ReindexState> reindexState = new AtomicReference<>(ReindexState.never());
    private final boolean reindexOnStart;

    private volatile Config config;
    private volatile StorageBackend storage;
    private volatile Filter storageFilter;
    private volatile boolean active;
    private StreamRegistry.Subscription subscription;
    private ScheduledFuture<?> retentionTask;

    @Activate
    public RecordingService(@Reference StreamRegistry registry, @Reference Database database,
            @Reference MetricsRegistry metricsRegistry, @Reference ServerEnvironment environment, Config config) {
        this(registry, database, metricsRegistry, config, System::currentTimeMillis,
                config.spool_dir().isBlank() ? environment.dataDirectory().resolve("recording-spool")
                        : Path.of(config.spool_dir()));
    }

    RecordingService(StreamRegistry registry, Database database, MetricsRegistry metricsRegistry, Config config,
            LongSupplier clock, Path spoolDir) {
        this.registry = registry;
        this.config = config;
        this.clock = clock;
        this.storageFilter = parseFilter(config.storage_target(), null);
        this.reindexOnStart = config.reindex_on_start();
        database.migrate(OWNER, RecordingIndex.MIGRATIONS);
        this.index = new RecordingIndex(database.dataSource());
        this.metrics = new RecordingMetrics(metricsRegistry);
        this.retention = new Retention(index, metrics);
        this.reindexer = new Reindexer(index);
        this.spool = new Spool(spoolDir.toAbsolutePath().normalize(), () -> this.config.spool_max_bytes(),
                this::priorityOf, this);
        this.uploader = new Uploader(spool, this::backendFor, this::stored, Math.max(1, config.upload_workers()));
        this.spoolMetrics.bind(metricsRegistry);        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
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
        recoverSpool();
        if (storage == null) {
            // Normal at start-up: storage backends are features installed after the core. Segments wait in the
            // spool meanwhile.
            LOG.info("Waiting for a storage backend matching {}; segments wait in the spool {}",
                    config.storage_target(), spool.root());
        }
        if (reindexOnStart) {
            for (StorageBackend b : List.copyOf(backends.keySet())) {
                startReindex(b);
            }
        }
        uploader.start();
        // The registry applies a filter only when a stream opens, so a filter of "streams being recorded" would miss
        // a live stream whose recording is switched on later: every stream is delivered and onSample decides.
        subscription = registry.subscribe("recording", id -> true, config.max_queued_gops(), this);
    }

    @Modified
    void modified(Config newConfig) {
        Filter f = parseFilter(newConfig.storage_target(), storageFilter);
        this.config = newConfig;
        if (f != storageFilter) {
            storageFilter = f;
            chooseActive();
        }
        scheduleRetention();
        spool.wake();
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
        for (Thread t : List.copyOf(sealing)) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Segments go on to a healthy backend until the deadline; what is left waits in the spool for the next start.
        try {
            while (spool.waiting() > 0 && System.nanoTime() < deadline && uploader.canTake(storage)) {
                spool.awaitChange(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        uploader.stop(deadline);
        int left = spool.waiting();
        if (left > 0) {
            LOG.info("{} segments wait in the spool {} for the next start", left, spool.root());
        }
        maintenance.shutdownNow();
        spoolMetrics.removeSeries();
        metrics.close();
    }

    // ---- storage backends ----

    /**
     * Every storage backend is bound, not only the one selected by {@code storage.target}: segments stay readable
     * (and deletable by retention) on the backend that holds them after the active one changes.
     */
    @Reference(name = "backends", service = StorageBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(StorageBackend backend, Map<String, Object> properties) {
        backends.put(backend, Map.copyOf(properties));
        chooseActive();
        if (active && reindexOnStart) {
            startReindex(backend);
        }
        spool.wake();
    }

    void unbindBackend(StorageBackend backend) {
        backends.remove(backend);
        chooseActive();
    }

    void updatedBackend(StorageBackend backend, Map<String, Object> properties) {
        backends.put(backend, Map.copyOf(properties));
        chooseActive();
    }

    /** Convenience for tests: binds a backend with only its type property. */
    void bindStorage(StorageBackend backend) {
        bindBackend(backend, Map.of(StorageBackend.TYPE, backend.type()));
    }

    void unbindStorage(StorageBackend backend) {
        unbindBackend(backend);
    }

    /** The active backend: the best-ranked one matching {@code storage.target}. */
    private synchronized void chooseActive() {
        Filter f = storageFilter;
        StorageBackend best = null;
        int bestRank = Integer.MIN_VALUE;
        for (Map.Entry<StorageBackend, Map<String, Object>> e : backends.entrySet()) {
            Map<String, Object> props = e.getValue();
            if (f != null && f.matches(props)) {
                int rank = props.get("service.ranking") instanceof Integer r ? r : 0;
                if (best == null || rank > bestRank) {
                    best = e.getKey();
                    bestRank = rank;
                }
            }
        }
        StorageBackend old = storage;
        storage = best;
        if (best != old) {
            if (best != null) {
                noStorageLogged.set(false);
                LOG.info("Recording to storage backend {} (new segments from their next start; {} wait in the spool)",
                        best.type(), spool.waiting());
            } else if (active) {
                noteNoStorage();
            }
        }
        metrics.storageAvailable(best != null);
    }

    /** Parses an LDAP filter; an invalid one keeps {@code previous} and says so. */
    private static Filter parseFilter(String target, Filter previous) {
        String t = target == null || target.isBlank() ? DEFAULT_STORAGE_TARGET : target.trim();
        if (previous != null && previous.toString().equals(t)) {
            return previous;
        }
        try {
            return FrameworkUtil.createFilter(t);
        } catch (InvalidSyntaxException e) {
            LOG.error("storage.target '{}' is not a valid LDAP filter ({}); keeping {}", t, e.getMessage(),
                    previous != null ? previous : DEFAULT_STORAGE_TARGET);
            if (previous != null) {
                return previous;
            }
            try {
                return FrameworkUtil.createFilter(DEFAULT_STORAGE_TARGET);
            } catch (InvalidSyntaxException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** The bound backend of a type, or empty. */
    Optional<StorageBackend> backend(String type) {
        for (StorageBackend b : backends.keySet()) {
            if (b.type().equals(type)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /**
     * Where a spooled segment goes: the backend that was active when the segment began, while it is installed (so a
     * swap takes effect from the next segment); otherwise the active one. Null: nowhere yet.
     */
    StorageBackend backendFor(Spool.Entry e) {
        if (e.target != null) {
            Optional<StorageBackend> b = backend(e.target);
            if (b.isPresent()) {
                return b.get();
            }
        }
        return storage;
    }

    private void noteNoStorage() {
        if (noStorageLogged.compareAndSet(false, true)) {
            LOG.warn("No storage backend matches {}: segments wait in the spool {} (at most {} bytes) until one "
                    + "is available", config.storage_target(), spool.root(), config.spool_max_bytes());
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
        String key = SegmentKeys.key(stream, startMillis, sequence);
        StorageBackend b = storage;
        if (b == null && active) {
            noteNoStorage();
        }
        Spool.Entry entry = new Spool.Entry(key, stream.value(), startMillis, b != null ? b.type() : null);
        FileChannel channel;
        try {
            channel = spool.begin(entry);
        } catch (IOException e) {
            spoolMetrics.error("write", "io");
            return new LostSegment(key, "cannot create it in the spool " + spool.root() + ": " + e.getMessage());
        }
        SpooledSegment seg = new SpooledSegment(entry, channel, stream, startMillis, startDts);
        writing.put(key, seg);
        metrics.openSegments(writing.size());
        return seg;
    }

    /** Keys of segments being written right now. */
    boolean isOpen(String key) {
        return writing.containsKey(key);
    }

    /** Open, or in the spool and being uploaded: retention and reindex leave it alone. */
    private boolean isBusy(String key) {
        return writing.containsKey(key) || spool.busy(key);
    }

    /**
     * A segment being recorded into the spool. Writes go straight to the file (no copy is kept in memory); when
     * the recorder completes it, a virtual thread syncs and renames the file, indexes the segment as being in the
     * spool and hands it to the uploader, so the media thread never waits for the disk sync or the database.
     */
    final class SpooledSegment implements SegmentTarget {

        final Spool.Entry entry;
        final StreamId stream;
        private final FileChannel channel;
        private final Thread marker;
        private final SegmentWriter.Output output;
        private volatile boolean ended;

        SpooledSegment(Spool.Entry entry, FileChannel channel, StreamId stream, long startMillis, long startDts) {
            this.entry = entry;
            this.channel = channel;
            this.stream = stream;
            // The open row marks the segment for crash recovery; written beside the recording so a slow database
            // cannot stall it.
            this.marker = Thread.ofVirtual().name("flux-recording-index").start(() -> {
                try {
                    index.insertOpen(new SegmentRecord(entry.key, stream.value(), SPOOL, startDts, startMillis,
                            startMillis, 0, 0, 0, SegmentRecord.RECORDING));
                } catch (SQLException e) {
                    LOG.debug("Cannot mark segment {} as open: {}", entry.key, e.getMessage());
                }
            });
            this.output = (data, length) -> {
                spool.reserve(entry, length);
                ByteBuffer buf = ByteBuffer.wrap(data, 0, length);
                try {
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                } catch (IOException e) {
                    spoolMetrics.error("write", "io");
                    throw new IOException("cannot write to the spool " + spool.root() + ": " + e.getMessage(), e);
                }
                metrics.bytes(length);
            };
        }

        @Override
        public String key() {
            return entry.key;
        }

        @Override
        public SegmentWriter.Output output() {
            return output;
        }

        @Override
        public void complete(Summary s) {
            if (ended) {
                return;
            }
            ended = true;
            Thread t = Thread.ofVirtual().name("flux-recording-seal").unstarted(() -> seal(s));
            sealing.add(t);
            t.start();
        }

        private void seal(Summary s) {
            try {
                boolean sync = config.spool_fsync();
                try (channel) {
                    if (sync) {
                        channel.force(true);
                    }
                }
                Files.move(spool.partPath(entry.key), spool.path(entry.key), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                joinQuietly(marker);
                SegmentRecord rec = new SegmentRecord(entry.key, stream.value(), SPOOL, s.startDts(),
                        s.startMillis(), s.endMillis(), s.durationMillis(), entry.bytes(), s.keyframes().size(),
                        SegmentRecord.COMPLETE);
                try {
                    index.putComplete(rec, s.keyframeRecords());
                } catch (SQLException e) {
                    LOG.warn("Segment {} is in the spool but not indexed ({}); it is indexed again when stored",
                            entry.key, e.getMessage());
                }
                spool.sealed(entry);
            } catch (IOException | RuntimeException e) {
                spoolMetrics.error("write", "io");
                lose("cannot finish it in the spool: " + e.getMessage());
            } finally {
                writing.remove(entry.key);
                metrics.openSegments(writing.size());
                sealing.remove(Thread.currentThread());
            }
        }

        @Override
        public void abort(IOException cause) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing the spool file of {}: {}", entry.key, e.toString());
            }
            joinQuietly(marker);
            lose(cause.getMessage());
            writing.remove(entry.key);
            metrics.openSegments(writing.size());
        }

        private void lose(String why) {
            spool.discard(entry);
            metrics.segment("failed");
            LOG.warn("Segment {} of stream {} lost: {}", entry.key, stream, why);
            try {
                index.delete(entry.key);
            } catch (SQLException ex) {
                LOG.debug("Cannot drop the row of lost segment {}: {}", entry.key, ex.getMessage());
            }
        }
    }

    /** A segment that could not even start in the spool: counted and logged once it ends. */
    private final class LostSegment implements SegmentTarget {
        private final String key;
        private final String why;

        LostSegment(String key, String why) {
            this.key = key;
            this.why = why;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public SegmentWriter.Output output() {
            return (data, length) -> {
            };
        }

        @Override
        public void complete(Summary summary) {
            metrics.segment("failed");
            LOG.warn("Segment {} lost: {}", key, why);
        }

        @Override
        public void abort(IOException cause) {
            complete(null);
        }
    }

    /** The uploader stored a spooled segment on {@code backend}: the index follows it there. */
    private void stored(Spool.Entry e, StorageBackend backend) throws SQLException {
        if (!index.moveTo(e.key, backend.type())) {
            // No row (the database was down when it was sealed): index it from the stored file.
            try {
                reindexer.rebuild(backend, e.key);
            } catch (IOException ex) {
                LOG.warn("Segment {} is stored on {} but cannot be indexed: {}", e.key, backend.type(),
                        ex.getMessage());
            }
        }
        metrics.segment("complete");
    }

    private int priorityOf(String streamId) {
        StreamSetting s = settings.get(streamId);
        return s != null ? s.priority() : 0;
    }

    @Override
    public void evicted(Spool.Eviction e) {
        metrics.segment("evicted");
        LOG.error("Recording spool full ({} bytes allowed): deleted the waiting segment {} of stream {} (priority {}, "
                + "{} bytes) to make room; its storage backend has been unavailable too long",
                config.spool_max_bytes(), e.key(), e.stream(), e.priority(), e.bytes());
        try {
            index.delete(e.key());
        } catch (SQLException ex) {
            LOG.warn("Cannot drop the row of evicted segment {}: {}", e.key(), ex.getMessage());
        }
    }

    @Override
    public void changed(long bytes, int waiting) {
        metrics.spool(bytes, waiting);
    }

    /**
     * Picks up what the spool directory holds at start: complete segments (the previous run stopped before they
     * were uploaded) wait for upload again; a {@code .part} file (a crash while recording) is cut back to its last
     * complete fragment and kept, or deleted when it has none.
     */
    private void recoverSpool() {
        List<String> files;
        try {
            files = spool.files();
        } catch (IOException e) {
            LOG.error("Cannot read the recording spool {}: {}", spool.root(), e.getMessage());
            return;
        }
        int recovered = 0;
        int salvaged = 0;
        for (String f : files) {
            String key = f.endsWith(Spool.PART) ? f.substring(0, f.length() - Spool.PART.length()) : f;
            Optional<SegmentKeys.Parsed> parsed = SegmentKeys.parse(key);
            if (parsed.isEmpty()) {
                LOG.warn("Ignoring {} in the recording spool: not a segment", f);
                continue;
            }
            try {
                if (f.endsWith(Spool.PART)) {
                    if (!salvage(key)) {
                        continue;
                    }
                    salvaged++;
                }
                Optional<SegmentRecord> row = index.segment(key);
                if (row.isPresent() && row.get().status().equals(SegmentRecord.COMPLETE)
                        && !row.get().backend().equals(SPOOL)) {
                    // Stored before the stop, but the spool copy was not deleted yet.
                    Spool.deleteQuietly(spool.path(key));
                    continue;
                }
                if (row.isEmpty() || !row.get().status().equals(SegmentRecord.COMPLETE)) {
                    reindexer.rebuildFromFile(spool.path(key), key, SPOOL);
                }
                spool.recovered(new Spool.Entry(key, parsed.get().stream().value(),
                        parsed.get().startMillis(), null), Files.size(spool.path(key)));
                recovered++;
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.warn("Cannot recover {} from the recording spool: {}", f, e.getMessage());
            }
        }
        if (recovered > 0) {
            LOG.info("{} segments in the recording spool wait for upload ({} cut back after an interrupted "
                    + "recording)", recovered, salvaged);
        }
    }

    /** Cuts a {@code .part} file back to its last complete fragment and gives it its final name. */
    private boolean salvage(String key) throws IOException {
        Path part = spool.partPath(key);
        long valid;
        try (InputStream in = Files.newInputStream(part)) {
            valid = Mp4Scanner.completePrefix(in);
        }
        if (valid <= 0) {
            LOG.warn("Segment {} in the recording spool was interrupted before its first fragment; deleting it",
                    key);
            Spool.deleteQuietly(part);
            return false;
        }
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.truncate(valid);
            ch.force(true);
        }
        Files.move(part, spool.path(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("Segment {} was interrupted while recording; kept its first {} bytes", key, valid);
        return true;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** One retention pass over the segments on every bound backend and in the spool. */
    Optional<Retention.Report> runRetention() throws SQLException {
        Map<String, Retention.Deleter> where = new HashMap<>();
        where.put(SPOOL, key -> {
            if (spool.busy(key)) {
                return false;
            }
            spool.delete(key);
            return true;
        });
        for (StorageBackend b : backends.keySet()) {
            where.put(b.type(), key -> {
                b.delete(key);
                return true;
            });
        }
        Config c = config;
        Retention.Limits limits = new Retention.Limits(TimeUnit.DAYS.toMillis(Math.max(0, c.retention_days())),
                Math.max(0, c.retention_max_bytes_per_stream()), Math.max(0, c.retention_max_bytes_total()));
        return Optional.of(retention.run(where, limits, clock.getAsLong(), this::isBusy));
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

    /** Starts a background reindex of the active backend unless one is running; returns the state right after. */
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

    /** Queues a background reindex of a backend that just appeared (reindexes run one at a time). */
    private void startReindex(StorageBackend b) {
        try {
            maintenance.execute(() -> reindexNow(b));
        } catch (RuntimeException e) {
            LOG.debug("Reindex of {} not queued: {}", b.type(), e.getMessage());
        }
    }

    /** Runs a reindex on this thread (the maintenance thread, or a test). */
    ReindexState reindexNow(StorageBackend b) {
        reindexRunning.set(true);
        Instant started = Instant.ofEpochMilli(clock.getAsLong());
        ReindexState result;
        try {
            Reindexer.Report r = reindexer.run(b, this::isBusy);
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
            StreamRecorder.Status recorder, String backend, int priority) {
    }

    Status status(StreamId id) {
        StreamSetting s = settings.get(id.value());
        Config c = config;
        boolean enabled = s != null ? s.enabled() : c.record_by_default();
        StreamRecorder r = recorders.get(id);
        StorageBackend b = storage;
        return new Status(id, enabled, s != null, policyFor(id, c), s != null && s.policy() != null,
                r != null ? r.status() : null, b != null ? b.type() : null, s != null ? s.priority() : 0);
    }

    /**
     * Turns recording on for a stream (persisted); {@code policy} null means the configured default, {@code priority}
     * null keeps the stream's priority.
     */
    Status start(StreamId id, SegmentPolicy policy, Integer priority) throws SQLException {
        StreamSetting old = settings.get(id.value());
        int p = priority != null ? priority : old != null ? old.priority() : 0;
        StreamSetting s = new StreamSetting(id.value(), true, policy, p);
        index.putSetting(s);
        settings.put(id.value(), s);
        return status(id);
    }

    /** Turns recording off for a stream (persisted) and closes its open segment. */
    Status stop(StreamId id) throws SQLException {
        StreamSetting old = settings.get(id.value());
        StreamSetting s = new StreamSetting(id.value(), false, old != null ? old.policy() : null,
                old != null ? old.priority() : 0);
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

    /** Reads a stored segment from wherever it lives. */
    interface SegmentSource {
        InputStream read(String key, long offset, long length) throws IOException;
    }

    /** A stored segment ready to be read; {@code fileName} is the key's last segment, {@code backend} where it is. */
    record Download(String key, String fileName, long size, Instant lastModified, String backend,
            SegmentSource source) {
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
     * Finds a segment by stream and name where the index says it lives: on a backend (not necessarily the active
     * one) or still in the spool. A segment missing from the index (index lost, not yet rebuilt) is still served
     * when the active backend has it.
     */
    Download download(StreamId id, String name) throws SQLException, DownloadException {
        Optional<String> key = SegmentKeys.keyOfName(id, name);
        if (key.isEmpty()) {
            throw new DownloadException(404, "no segment '" + name + "' (names look like 1700000000000-0)");
        }
        String k = key.get();
        if (writing.containsKey(k)) {
            throw new DownloadException(409, "segment " + name + " is still being recorded");
        }
        String file = k.substring(k.lastIndexOf('/') + 1);
        // Twice at most: an upload may move the segment out of the spool between the lookup and the stat.
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<SegmentRecord> rec = index.segment(k);
            String where = rec.map(SegmentRecord::backend).orElse(null);
            if (SPOOL.equals(where)) {
                Optional<Long> size;
                try {
                    size = spool.size(k);
                } catch (IOException e) {
                    throw new DownloadException(503, "the recording spool failed: " + e.getMessage());
                }
                if (size.isPresent()) {
                    Instant modified = Instant.ofEpochMilli(rec.get().endTime());
                    return new Download(k, file, size.get(), modified, SPOOL, this::readSpooled);
                }
                continue;
            }
            StorageBackend b;
            if (where == null) {
                b = storage;
                if (b == null) {
                    throw new DownloadException(503, "no storage backend is available");
                }
            } else {
                Optional<StorageBackend> bound = backend(where);
                if (bound.isEmpty()) {
                    throw new DownloadException(503, "segment " + name + " is stored on backend " + where
                            + ", which is not installed or not started");
                }
                b = bound.get();
            }
            Optional<StorageObject> o;
            try {
                o = b.stat(k);
            } catch (IOException | RuntimeException e) {
                throw new DownloadException(503, "storage backend " + b.type() + " failed: " + e.getMessage());
            }
            if (o.isEmpty()) {
                throw new DownloadException(404, "no segment " + name + " for stream " + id);
            }
            return new Download(k, file, o.get().size(), o.get().lastModified(), b.type(), b::read);
        }
        throw new DownloadException(503, "segment " + name + " is moving to its storage backend; try again");
    }

    /** Reads a segment from the spool, or from its backend when an upload moved it meanwhile. */
    private InputStream readSpooled(String key, long offset, long length) throws IOException {
        try {
            return spool.read(key, offset, length);
        } catch (java.nio.file.NoSuchFileException e) {
            Optional<SegmentRecord> rec;
            try {
                rec = index.segment(key);
            } catch (SQLException ex) {
                throw new IOException("the recording index is not available: " + ex.getMessage(), ex);
            }
            Optional<StorageBackend> b = rec.flatMap(r -> backend(r.backend()));
            if (b.isEmpty()) {
                throw e;
            }
            return b.get().read(key, offset, length);
        }
    }

    /** The storage view of {@code GET /api/v1/recordings/storage}. */
    record StorageState(String target, String active, List<Uploader.BackendState> backends, String spool_dir,
            long spool_bytes, long spool_max_bytes, int spool_waiting, int spool_writing) {
    }

    StorageState storageState() {
        StorageBackend b = storage;
        List<String> types = backends.keySet().stream().map(StorageBackend::type).sorted().toList();
        return new StorageState(config.storage_target(), b != null ? b.type() : null, uploader.states(types),
                spool.root().toString(), spool.bytes(), spool.maxBytes(), spool.waiting(), spool.writing());
    }

    /** Live counts, for diagnostics and tests. */
    Map<String, Object> counts() {
        Map<String, Object> m = new HashMap<>();
        m.put("recording_streams", recorders.size());
        m.put("open_segments", writing.size() + sealing.size());
        m.put("spool_waiting", spool.waiting());
        return m;
    }
}
