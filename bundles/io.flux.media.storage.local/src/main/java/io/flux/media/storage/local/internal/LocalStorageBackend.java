package io.flux.media.storage.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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
import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.server.ServerEnvironment;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.Bytes;
import io.flux.media.storage.common.StorageMetrics;

/**
 * The {@code local} storage backend: objects are files under one root directory on this machine. Also the
 * {@code storage-local} readiness check (down when the root is not writable or free space is below the
 * threshold).
 */
@Component(name = LocalStorageBackend.Config.PID, configurationPid = LocalStorageBackend.Config.PID,
        service = { StorageBackend.class, ReadinessCheck.class }, immediate = true,
        property = { StorageBackend.TYPE + "=" + LocalStore.BACKEND,
                ReadinessCheck.NAME + "=" + LocalStorageBackend.CHECK_NAME })
@Designate(ocd = LocalStorageBackend.Config.class)
@HotUpdatable({ "fsync", "min.free.bytes", "read.buffer.bytes" })
public class LocalStorageBackend implements StorageBackend, ReadinessCheck {

    static final String CHECK_NAME = "storage-local";

    @ObjectClassDefinition(name = "Flux local storage",
            description = "Keeps recordings, keyframes and snapshots as files under a directory of this machine.")
    public @interface Config {
        String PID = "io.flux.media.storage.local";

        @AttributeDefinition(name = "Root directory",
                description = "Directory holding every object. A relative path resolves against the server's data "
                        + "directory. Restart-only.")
        String root() default "recordings";

        @AttributeDefinition(name = "Fsync policy",
                description = "When data is forced to disk: NEVER (fastest; a power loss may lose recent objects), "
                        + "ON_CLOSE (each object once before it becomes visible, and its directory after) or ALWAYS "
                        + "(after every 64 KiB written as well). Hot-updatable.")
        FsyncPolicy fsync() default FsyncPolicy.ON_CLOSE;

        @AttributeDefinition(name = "Minimum free space (bytes)", min = "0",
                description = "Writes are refused with an error while less than this is free on the root's file "
                        + "system (checked before and during each write). Hot-updatable.")
        long min_free_bytes() default 1024L * 1024 * 1024;

        @AttributeDefinition(name = "Read buffer (bytes)", min = "512",
                description = "Buffer size of the streams returned by reads. Hot-updatable.")
        int read_buffer_bytes() default 64 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalStorageBackend.class);

    private final String configuredRoot;
    private final StorageMetrics metrics = new StorageMetrics(LocalStore.BACKEND);
    private final LocalStore store;
    private final CompletableFuture<Integer> cleanup;

    @Activate
    public LocalStorageBackend(@Reference ServerEnvironment environment, Config config) throws IOException {
        this(environment, config, DiskSpace.FILE_STORE);
    }

    LocalStorageBackend(ServerEnvironment environment, Config config, DiskSpace disk) throws IOException {
        this.configuredRoot = config.root();
        Path root = resolveRoot(environment.dataDirectory(), config.root());
        this.store = new LocalStore(root, settings(config), disk, metrics);
        // A big tree takes a while to walk; writes may start meanwhile (their temp files are skipped).
        this.cleanup = CompletableFuture.supplyAsync(() -> {
            try {
                int removed = store.removeLeftovers();
                if (removed > 0) {
                    LOG.info("Removed {} temporary files left by an interrupted write under {}", removed, root);
                }
                return removed;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "flux-storage-local-cleanup");
            t.setDaemon(true);
            t.start();
        });
        cleanup.exceptionally(e -> {
            LOG.warn("Cannot clean temporary files under {}: {}", root, e.toString());
            return 0;
        });
        LOG.info("Local storage at {} (fsync {}, min free {})", root, config.fsync(),
                Bytes.human(config.min_free_bytes()));
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetrics(MetricsRegistry registry) {
        metrics.bind(registry);
    }

    void unbindMetrics(MetricsRegistry registry) {
        metrics.unbind(registry);
    }

    @Modified
    void modified(Config config) {
        store.update(settings(config));
        if (!config.root().equals(configuredRoot)) {
            LOG.warn("Local storage root changed to '{}'; it is restart-only, still using {}", config.root(),
                    store.root());
        }
    }

    @Deactivate
    void deactivate() {
        cleanup.cancel(false);
        metrics.removeSeries();
    }

    static Path resolveRoot(Path dataDirectory, String root) {
        String r = root == null ? "" : root.trim();
        if (r.isEmpty()) {
            throw new IllegalArgumentException("root must not be empty");
        }
        return dataDirectory.resolve(r).toAbsolutePath().normalize();
    }

    private static LocalStore.Settings settings(Config config) {
        return new LocalStore.Settings(config.fsync(), config.min_free_bytes(), config.read_buffer_bytes());
    }

    CompletableFuture<Integer> cleanup() {
        return cleanup;
    }

    Path root() {
        return store.root();
    }

    @Override
    public String type() {
        return LocalStore.BACKEND;
    }

    @Override
    public long write(String key, InputStream data) throws IOException {
        return store.write(key, data);
    }

    @Override
    public long writeFile(String key, Path file) throws IOException {
        return store.writeFile(key, file);
    }

    @Override
    public InputStream read(String key, long offset, long length) throws IOException {
        return store.read(key, offset, length);
    }

    @Override
    public StoragePage list(String prefix, String continuationToken, int maxKeys) throws IOException {
        return store.list(prefix, continuationToken, maxKeys);
    }

    @Override
    public boolean delete(String key) throws IOException {
        return store.delete(key);
    }

    @Override
    public Optional<StorageObject> stat(String key) throws IOException {
        return store.stat(key);
    }

    @Override
    public StorageHealth health() {
        return store.health();
    }

    @Override
    public String name() {
        return CHECK_NAME;
    }

    @Override
    public Readiness check() {
        StorageHealth h = store.health();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("root", store.root().toString());
        details.put("free_bytes", h.freeBytes());
        details.put("total_bytes", h.totalBytes());
        details.put("min_free_bytes", store.settings().minFreeBytes());
        details.put("fsync", store.settings().fsync().name());
        return new Readiness(h.available(), h.message(), details);
    }
}
