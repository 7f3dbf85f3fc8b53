package io.flux.media.core.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

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
import io.flux.media.api.health.Readiness;
import io.flux.media.api.health.ReadinessCheck;
import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.stream.Gop;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.stream.StreamState;

/**
 * The media core: protocol handlers push samples in ({@link MediaSink}), consumers subscribe to them and look
 * streams up ({@link StreamRegistry}).
 * <p>
 * Pushing never waits for a consumer: each sample is checked (parameter sets cached, keyframe flag derived,
 * parameter sets put in front of keyframes lacking them) under its stream's lock and queued on the lane of every
 * subscription that receives the stream. Each subscription delivers from its own virtual thread; a subscriber that
 * falls behind loses whole GOPs. A periodic check (every {@value #CHECK_PERIOD_MS} ms) detects stalled streams,
 * forgets ended ones after their retention, ends drop episodes and flushes the metrics, so nothing of that runs
 * per sample.
 */
@Designate(ocd = MediaCore.Config.class)
@HotUpdatable({"queue.max.gops", "queue.max.bytes", "stall.timeout.ms", "ended.retention.ms", "gop.cache.max.bytes"})
@Component(name = MediaCore.Config.PID, configurationPid = MediaCore.Config.PID,
        service = {MediaSink.class, StreamRegistry.class, ReadinessCheck.class},
        property = ReadinessCheck.NAME + "=" + MediaCore.READINESS_NAME)
public class MediaCore implements MediaSink, StreamRegistry, ReadinessCheck {

    static final String READINESS_NAME = "media-core";
    static final long CHECK_PERIOD_MS = 250;

    @ObjectClassDefinition(name = "Flux media core",
            description = "Where protocol handlers push samples and consumers (recording, snapshots) receive them: "
                    + "per-subscriber queues bounded in GOPs, stall detection, the current GOP of every stream.")
    public @interface Config {

        String PID = "io.flux.media.core";

        @AttributeDefinition(name = "Queued GOPs per subscriber", min = "1",
                description = "How many GOPs of one stream a subscriber may fall behind before the oldest whole "
                        + "GOPs are dropped for it, for subscribers that do not set their own limit. Hot-updatable.")
        int queue_max_gops() default 4;

        @AttributeDefinition(name = "Queued bytes per subscriber and stream", min = "65536",
                description = "Upper bound of the payload bytes queued for one subscriber and stream, for GOPs so "
                        + "large that the GOP count alone would not bound memory. Hot-updatable.")
        int queue_max_bytes() default 64 * 1024 * 1024;

        @AttributeDefinition(name = "Stall timeout (ms)", min = "100",
                description = "A stream with no sample for longer than this is reported STALLED. Hot-updatable.")
        int stall_timeout_ms() default 5000;

        @AttributeDefinition(name = "Ended stream retention (ms)", min = "0",
                description = "How long a closed stream stays listed (state ENDED) before it is forgotten. "
                        + "Hot-updatable.")
        int ended_retention_ms() default 60_000;

        @AttributeDefinition(name = "Current GOP cache (bytes)", min = "0",
                description = "Per stream, the current GOP (keyframe and the frames after it) is kept for "
                        + "snapshots up to this many bytes; beyond that only its keyframe is kept. Hot-updatable.")
        int gop_cache_max_bytes() default 16 * 1024 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MediaCore.class);

    private final Clock clock;
    private final Metrics metrics = new Metrics();
    private final ConcurrentHashMap<StreamId, LiveStream> streams = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<CoreSubscription> subscriptions = new CopyOnWriteArrayList<>();
    /** Serializes open, close and subscribe, so a reopened stream's end reaches every lane before its start. */
    private final Object structure = new Object();
    private final ScheduledExecutorService checker;
    private volatile Settings settings;
    private volatile boolean deactivated;

    @Activate
    public MediaCore(Config config) {
        this(config, Clock.systemUTC(), true);
    }

    /** For tests: a given clock, and no periodic check unless asked ({@link #periodicCheck()} runs one). */
    MediaCore(Config config, Clock clock, boolean periodicCheck) {
        this.clock = clock;
        this.settings = Settings.of(config);
        if (periodicCheck) {
            checker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "media-core-check");
                t.setDaemon(true);
                return t;
            });
            checker.scheduleWithFixedDelay(this::periodicCheck, CHECK_PERIOD_MS, CHECK_PERIOD_MS,
                    TimeUnit.MILLISECONDS);
        } else {
            checker = null;
        }
    }

    @Modified
    void modified(Config config) {
        settings = Settings.of(config);
        LOG.info("Media core settings now {}", settings);
    }

    @Deactivate
    void deactivate() {
        deactivated = true;
        if (checker != null) {
            checker.shutdownNow();
        }
        for (CoreSubscription s : subscriptions) {
            s.close();
        }
        long now = clock.millis();
        synchronized (structure) {
            for (LiveStream s : streams.values()) {
                s.end(now);
            }
            streams.clear();
        }
        metrics.unregister();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetrics(MetricsRegistry registry) {
        metrics.bind(registry);
    }

    void unbindMetrics(MetricsRegistry registry) {
        metrics.unbind(registry);
    }

    Settings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    Metrics metrics() {
        return metrics;
    }

    // ---- MediaSink

    @Override
    public StreamHandle open(StreamId id, String protocol) {
        Objects.requireNonNull(id, "id");
        if (deactivated) {
            throw new IllegalStateException("media core stopped");
        }
        String label = protocol == null || protocol.isBlank() ? id.protocol() : protocol;
        long now = clock.millis();
        LiveStream stream = new LiveStream(id, label, this, now);
        synchronized (structure) {
            LiveStream old = streams.put(id, stream);
            if (old != null && old.end(now)) {
                LOG.info("Stream {} reopened by {}; the previous one ended", id, label);
            }
            for (CoreSubscription s : subscriptions) {
                if (s.accepts(id)) {
                    stream.attach(s);
                }
            }
        }
        CoreSubscription.withStreamId(id, () -> LOG.info("Stream {} opened ({})", id, label));
        return stream.handle();
    }

    /** A handle was closed. */
    void closed(LiveStream stream) {
        boolean ended;
        synchronized (structure) {
            ended = stream.end(clock.millis());
        }
        if (ended) {
            CoreSubscription.withStreamId(stream.id, () -> LOG.info("Stream {} ended", stream.id));
        }
    }

    // ---- StreamRegistry

    @Override
    public List<StreamInfo> streams() {
        long now = clock.millis();
        List<StreamInfo> out = new ArrayList<>(streams.size());
        for (LiveStream s : streams.values()) {
            out.add(s.info(now));
        }
        out.sort(Comparator.comparing(StreamInfo::id));
        return out;
    }

    @Override
    public Optional<StreamInfo> stream(StreamId id) {
        LiveStream s = streams.get(Objects.requireNonNull(id, "id"));
        return s == null ? Optional.empty() : Optional.of(s.info(clock.millis()));
    }

    @Override
    public Optional<Gop> currentGop(StreamId id) {
        LiveStream s = streams.get(Objects.requireNonNull(id, "id"));
        return s == null ? Optional.empty() : s.currentGop();
    }

    /**
     * {@inheritDoc}
     * <p>
     * A {@code maxQueuedGops} of 0 or less means the configured {@code queue.max.gops}. The listener hears of the
     * streams already open first ({@code onStreamStart}), then receives each stream from its next keyframe.
     */
    @Override
    public Subscription subscribe(String name, Predicate<StreamId> filter, int maxQueuedGops,
            MediaListener listener) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        if (deactivated) {
            throw new IllegalStateException("media core stopped");
        }
        CoreSubscription sub = new CoreSubscription(name, filter, maxQueuedGops, listener, this);
        sub.start();
        synchronized (structure) {
            subscriptions.add(sub);
            for (LiveStream s : streams.values()) {
                if (sub.accepts(s.id)) {
                    s.attach(sub);
                }
            }
        }
        LOG.debug("Subscription '{}' started", name);
        return sub;
    }

    void unsubscribe(CoreSubscription sub) {
        synchronized (structure) {
            subscriptions.remove(sub);
            for (LiveStream s : streams.values()) {
                s.detach(sub);
            }
        }
        LOG.debug("Subscription '{}' closed", sub.name);
    }

    // ---- ReadinessCheck

    @Override
    public String name() {
        return READINESS_NAME;
    }

    @Override
    public Readiness check() {
        Map<StreamState, Integer> byState = new EnumMap<>(StreamState.class);
        for (LiveStream s : streams.values()) {
            byState.merge(s.state(), 1, Integer::sum);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("streams", streams.size());
        for (StreamState state : StreamState.values()) {
            details.put(state.name().toLowerCase(java.util.Locale.ROOT), byState.getOrDefault(state, 0));
        }
        details.put("subscriptions", subscriptions.size());
        if (deactivated) {
            return new Readiness(false, "media core stopped", details);
        }
        return new Readiness(true, streams.size() + " streams, " + subscriptions.size() + " subscriptions",
                details);
    }

    // ---- periodic check

    /** Stall detection, retention of ended streams, drop episodes, metrics. Package-private for tests. */
    void periodicCheck() {
        try {
            long now = clock.millis();
            Settings s = settings;
            Map<String, EnumMap<StreamState, Integer>> states = new HashMap<>();
            for (LiveStream stream : streams.values()) {
                boolean expired = stream.check(now, s);
                metrics.flush(stream.protocol, stream.takeCounts());
                if (expired) {
                    streams.remove(stream.id, stream);
                } else {
                    states.computeIfAbsent(stream.protocol, p -> new EnumMap<>(StreamState.class))
                            .merge(stream.state(), 1, Integer::sum);
                }
            }
            metrics.streams(states);
            for (CoreSubscription sub : subscriptions) {
                sub.tick(now);
            }
        } catch (RuntimeException e) {
            // The scheduler would silently stop on an exception.
            LOG.error("Media core periodic check failed", e);
        }
    }

    /**
     * The core's metrics, all optional (no registry, no metrics). Label values are bounded: protocol, sample
     * kind, a fixed reason, the subscription name; never a stream id.
     */
    static final class Metrics {

        static final String SAMPLES = "media_samples_total";
        static final String GOPS_DROPPED = "media_gops_dropped_total";
        static final String SAMPLE_ERRORS = "media_sample_errors_total";
        static final String SAMPLES_SKIPPED = "media_samples_skipped_total";
        static final String LISTENER_ERRORS = "media_listener_errors_total";
        static final String STREAMS = "media_streams";

        private record Handles(MetricsRegistry registry, MetricsRegistry.Counter samples,
                MetricsRegistry.Counter gopsDropped, MetricsRegistry.Counter errors, MetricsRegistry.Counter skipped,
                MetricsRegistry.Counter listenerErrors, MetricsRegistry.Gauge streams) {
        }

        private volatile Handles handles;
        /** Protocol and state series set so far, kept at 0 rather than left stale when the streams go. */
        private final Set<String> protocolsSeen = new HashSet<>();

        synchronized void bind(MetricsRegistry registry) {
            handles = new Handles(registry,
                    registry.counter(SAMPLES, "Samples accepted from protocol handlers", "protocol", "kind"),
                    registry.counter(GOPS_DROPPED, "Whole GOPs dropped for subscribers that fell behind",
                            "protocol"),
                    registry.counter(SAMPLE_ERRORS, "Samples skipped as corrupt or undecodable", "protocol",
                            "reason"),
                    registry.counter(SAMPLES_SKIPPED, "Samples skipped in normal operation (before the first "
                            + "keyframe, parameter sets only)", "protocol", "reason"),
                    registry.counter(LISTENER_ERRORS, "Exceptions thrown by media listeners", "subscription"),
                    registry.gauge(STREAMS, "Streams known to the media core", "protocol", "state"));
            protocolsSeen.clear();
        }

        synchronized void unbind(MetricsRegistry registry) {
            Handles h = handles;
            if (h != null && h.registry == registry) {
                handles = null;
            }
        }

        synchronized void unregister() {
            Handles h = handles;
            handles = null;
            if (h != null) {
                for (String name : List.of(SAMPLES, GOPS_DROPPED, SAMPLE_ERRORS, SAMPLES_SKIPPED, LISTENER_ERRORS,
                        STREAMS)) {
                    h.registry.unregister(name);
                }
            }
        }

        /** Deltas in the order of {@link LiveStream#takeCounts()}. */
        void flush(String protocol, long[] d) {
            Handles h = handles;
            if (h == null) {
                return;
            }
            inc(h.samples, d[0], protocol, "video");
            inc(h.samples, d[1], protocol, "audio");
            inc(h.gopsDropped, d[2], protocol);
            inc(h.errors, d[3], protocol, "corrupt");
            inc(h.errors, d[4], protocol, "no_parameter_sets");
            inc(h.skipped, d[5], protocol, "before_keyframe");
            inc(h.skipped, d[6], protocol, "no_picture");
        }

        void listenerError(String subscription) {
            Handles h = handles;
            if (h != null) {
                h.listenerErrors.inc(subscription);
            }
        }

        synchronized void streams(Map<String, EnumMap<StreamState, Integer>> byProtocol) {
            Handles h = handles;
            if (h == null) {
                return;
            }
            protocolsSeen.addAll(byProtocol.keySet());
            for (String protocol : protocolsSeen) {
                EnumMap<StreamState, Integer> counts = byProtocol.get(protocol);
                for (StreamState state : StreamState.values()) {
                    int n = counts == null ? 0 : counts.getOrDefault(state, 0);
                    h.streams.set(n, protocol, state.name().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }

        private static void inc(MetricsRegistry.Counter counter, long delta, String... labels) {
            if (delta > 0) {
                counter.inc(delta, labels);
            }
        }
    }
}
