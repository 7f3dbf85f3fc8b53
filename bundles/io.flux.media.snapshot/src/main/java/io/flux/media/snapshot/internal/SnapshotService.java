package io.flux.media.snapshot.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

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
import io.flux.media.api.snapshot.SnapshotProvider;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.stream.StreamRegistry;

/**
 * The snapshot service: tracks the keyframe and decode providers (they come and go with their bundles),
 * answers snapshot requests through {@link SnapshotEngine} and persists snapshots on a schedule.
 */
@Component(name = SnapshotService.Config.PID, configurationPid = SnapshotService.Config.PID,
        service = SnapshotService.class, immediate = true)
@Designate(ocd = SnapshotService.Config.class)
@HotUpdatable({ "max.age.ms", "timeout.ms", "timeout.max.ms", "decode.concurrency", "cache.ttl.ms",
        "cache.max.entries", "overlay.text", "max.dimension", "persist.streams", "persist.interval.s",
        "storage.target" })
public class SnapshotService {

    @ObjectClassDefinition(name = "Flux snapshots",
            description = "JPEG snapshots of live streams: cache, decode limits, overlay text and scheduled "
                    + "persistence.")
    public @interface Config {
        String PID = "io.flux.media.snapshot";

        @AttributeDefinition(name = "Default maximum age (ms)", min = "0",
                description = "For mode=auto without max_age_ms: a cached snapshot or the last keyframe no older "
                        + "than this is good enough; otherwise the current GOP is decoded. Hot-updatable.")
        long max_age_ms() default 2000;

        @AttributeDefinition(name = "Default timeout (ms)", min = "1",
                description = "Hard timeout of a request without timeout_ms; the request answers 504 after it. "
                        + "Hot-updatable.")
        long timeout_ms() default 5000;

        @AttributeDefinition(name = "Maximum timeout (ms)", min = "1",
                description = "Upper bound of the timeout_ms a request may ask for (larger values are capped). "
                        + "Hot-updatable.")
        long timeout_max_ms() default 30000;

        @AttributeDefinition(name = "Decode concurrency", min = "1",
                description = "How many snapshot provider calls (keyframe or decode) may run at once across all "
                        + "streams; further requests queue fairly. Hot-updatable.")
        int decode_concurrency() default 2;

        @AttributeDefinition(name = "Cache TTL (ms)", min = "0",
                description = "How long a snapshot stays in the cache, counted from its capture time. "
                        + "Hot-updatable.")
        long cache_ttl_ms() default 10000;

        @AttributeDefinition(name = "Cache entries", min = "0",
                description = "Most snapshots kept (one per stream and picture size; least recently used go "
                        + "first). 0 disables the cache. Hot-updatable.")
        int cache_max_entries() default 256;

        @AttributeDefinition(name = "Overlay text", required = false,
                description = "Text drawn on every snapshot, empty for none. {stream_id} is replaced by the stream "
                        + "id and {time} by the capture time (yyyy-MM-dd HH:mm:ss, server time zone). "
                        + "Hot-updatable.")
        String overlay_text() default "";

        @AttributeDefinition(name = "Maximum width/height", min = "16",
                description = "Largest width or height a request may ask for; larger answers 400. Hot-updatable.")
        int max_dimension() default 7680;

        @AttributeDefinition(name = "Persisted streams", required = false,
                description = "Stream ids whose latest snapshot is written to storage every persist.interval.s, "
                        + "or * for every live stream. Empty: no persistence. Hot-updatable.")
        String[] persist_streams() default {};

        @AttributeDefinition(name = "Persistence interval (s)", min = "1",
                description = "Seconds between two persisted snapshots of a stream. Hot-updatable.")
        int persist_interval_s() default 60;

        @AttributeDefinition(name = "Storage target",
                description = "Filter selecting the storage backend persisted snapshots go to, e.g. "
                        + "(flux.storage.type=local) or (flux.storage.type=s3). Hot-updatable.")
        String storage_target() default "(" + StorageBackend.TYPE + "=local)";
    }

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);

    private final SnapshotMetrics metrics = new SnapshotMetrics();
    private final SnapshotEngine engine;
    private final SnapshotPersister persister;
    private volatile StorageBackend storage;

    @Activate
    public SnapshotService(@Reference StreamRegistry registry, Config config) {
        this(registry, config, Clock.systemDefaultZone());
    }

    SnapshotService(StreamRegistry registry, Config config, Clock clock) {
        this.engine = new SnapshotEngine(registry, clock, settings(config), metrics);
        this.persister = new SnapshotPersister(engine, registry, () -> storage);
        persister.configure(SnapshotPersister.plan(config.persist_streams(), config.persist_interval_s()));
    }

    @Reference(name = "provider", service = SnapshotProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindProvider(SnapshotProvider provider, Map<String, Object> properties) {
        if (engine.providers().add(provider, properties)) {
            LOG.info("Snapshot provider {} available", Providers.modeOf(provider, properties));
        } else {
            LOG.warn("Ignoring snapshot provider {} with unknown {}={}", provider.getClass().getName(),
                    SnapshotProvider.MODE, properties.get(SnapshotProvider.MODE));
        }
    }

    void unbindProvider(SnapshotProvider provider, Map<String, Object> properties) {
        engine.providers().remove(provider);
        LOG.info("Snapshot provider {} gone", properties.get(SnapshotProvider.MODE));
    }

    @Reference(name = "storage", service = StorageBackend.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + StorageBackend.TYPE + "=local)")
    void bindStorage(StorageBackend backend) {
        storage = backend;
    }

    void unbindStorage(StorageBackend backend) {
        if (storage == backend) {
            storage = null;
        }
    }

    @Reference(name = "metrics", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetrics(MetricsRegistry registry) {
        metrics.bind(registry);
    }

    void unbindMetrics(MetricsRegistry registry) {
        metrics.unbind(registry);
    }

    @Modified
    void modified(Config config) {
        engine.update(settings(config));
        persister.configure(SnapshotPersister.plan(config.persist_streams(), config.persist_interval_s()));
    }

    @Deactivate
    void deactivate() {
        persister.close();
        engine.cache().clear();
        metrics.unregister();
    }

    /** Answers one request; blocks until the picture is there or the request's deadline passes. */
    SnapshotEngine.Result take(SnapshotEngine.Query query) {
        return engine.take(query);
    }

    SnapshotEngine.Settings settings() {
        return engine.settings();
    }

    /** Counts a request refused before it reached the engine (invalid parameters). */
    void rejected(String reason) {
        engine.failedRequest(reason);
    }

    SnapshotEngine engine() {
        return engine;
    }

    SnapshotPersister persister() {
        return persister;
    }

    static SnapshotEngine.Settings settings(Config c) {
        return new SnapshotEngine.Settings(Duration.ofMillis(Math.max(0, c.max_age_ms())),
                Duration.ofMillis(Math.max(1, c.timeout_ms())), Duration.ofMillis(Math.max(1, c.timeout_max_ms())),
                Math.max(1, c.decode_concurrency()), Duration.ofMillis(Math.max(0, c.cache_ttl_ms())),
                Math.max(0, c.cache_max_entries()), c.overlay_text(), Math.max(16, c.max_dimension()));
    }
}
