package io.flux.media.storage.s3.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
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
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.StorageMetrics;

/**
 * The {@code s3} storage backend: objects in a bucket of any S3-compatible store, under a key prefix. Also
 * the {@code storage-s3} readiness check (HeadBucket). It needs a configuration (at least the endpoint and
 * the bucket), so it stays inactive until one exists.
 */
@Component(name = S3StorageBackend.Config.PID, configurationPid = S3StorageBackend.Config.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = { StorageBackend.class, ReadinessCheck.class },
        immediate = true, property = { StorageBackend.TYPE + "=" + S3Store.BACKEND,
                ReadinessCheck.NAME + "=" + S3StorageBackend.CHECK_NAME })
@Designate(ocd = S3StorageBackend.Config.class)
@HotUpdatable({ "access.key", ".secret.key", "max.retries" })
public class S3StorageBackend implements StorageBackend, ReadinessCheck {

    static final String CHECK_NAME = "storage-s3";

    @ObjectClassDefinition(name = "Flux S3 storage",
            description = "Keeps recordings, keyframes and snapshots in a bucket of an S3-compatible object store.")
    public @interface Config {
        String PID = "io.flux.media.storage.s3";

        @AttributeDefinition(name = "Endpoint", description = "Base URL of the S3 API, http(s)://host[:port] "
                + "(for AWS: https://s3.<region>.amazonaws.com). Restart-only.")
        String endpoint();

        @AttributeDefinition(name = "Region", description = "Signing region (SigV4). Restart-only.")
        String region() default "us-east-1";

        @AttributeDefinition(name = "Bucket", description = "Bucket holding the objects; it must exist. "
                + "Restart-only.")
        String bucket();

        @AttributeDefinition(name = "Key prefix", required = false, description = "Prefix put before every key "
                + "(e.g. 'flux/recordings'); empty for the bucket's root. Incomplete multipart uploads under it "
                + "are aborted at start, so it should belong to this server alone. Restart-only.")
        String prefix() default "";

        @AttributeDefinition(name = "Path-style access", description = "true: http://host/bucket/key (MinIO, "
                + "S3Proxy, most self-hosted stores); false: virtual-hosted http://bucket.host/key. Restart-only.")
        boolean path_style() default true;

        @AttributeDefinition(name = "Access key", required = false, description = "Access key id. Hot-updatable.")
        String access_key() default "";

        @AttributeDefinition(name = "Secret key", required = false, type = org.osgi.service.metatype.annotations
                .AttributeType.PASSWORD, description = "Secret access key. Never logged. Hot-updatable.")
        String _secret_key() default "";

        @AttributeDefinition(name = "Connect timeout (ms)", min = "1", description = "TCP/TLS connect timeout. "
                + "Restart-only.")
        int connect_timeout_ms() default 5000;

        @AttributeDefinition(name = "Request timeout (ms)", min = "1", description = "Timeout of one request "
                + "until the answer's headers arrive (a whole part upload must fit). Restart-only.")
        int request_timeout_ms() default 60000;

        @AttributeDefinition(name = "Maximum retries", min = "0", description = "Retries of a request after a "
                + "5xx, throttling, 408/429 or an I/O error, with exponential backoff and jitter. Other 4xx "
                + "answers are never retried. Hot-updatable.")
        int max_retries() default 4;

        @AttributeDefinition(name = "Part size (bytes)", min = "5242880", description = "Objects up to this size "
                + "are one PutObject; larger ones a multipart upload in parts of this size. One part is held "
                + "in memory per write. At least 5 MiB (S3's minimum). Restart-only.")
        int part_size_bytes() default 8 * 1024 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(S3StorageBackend.class);
    static final Duration BASE_DELAY = Duration.ofMillis(200);
    static final Duration MAX_DELAY = Duration.ofSeconds(10);

    private final Config initial;
    private final StorageMetrics metrics = new StorageMetrics(S3Store.BACKEND);
    private final S3Store store;
    private final CompletableFuture<Integer> cleanup;

    @Activate
    public S3StorageBackend(Config config) {
        this(config, BASE_DELAY, MAX_DELAY);
    }

    S3StorageBackend(Config config, Duration baseDelay, Duration maxDelay) {
        this.initial = config;
        S3Client.Endpoint endpoint = new S3Client.Endpoint(URI.create(require(config.endpoint(), "endpoint").trim()),
                config.region().trim(), require(config.bucket(), "bucket").trim(), config.path_style());
        S3Client client = new S3Client(endpoint, credentials(config),
                new RetryPolicy(config.max_retries(), baseDelay, maxDelay),
                Duration.ofMillis(config.connect_timeout_ms()), Duration.ofMillis(config.request_timeout_ms()),
                Clock.systemUTC());
        this.store = new S3Store(client, config.prefix(), config.part_size_bytes(), metrics);
        Instant started = Instant.now();
        // Leftovers of writes interrupted before this start; in the background so an unreachable store does not
        // hold up activation.
        this.cleanup = CompletableFuture.supplyAsync(() -> {
            try {
                int aborted = store.abortIncompleteUploads(started);
                if (aborted > 0) {
                    LOG.info("Aborted {} incomplete multipart uploads under s3://{}/{}", aborted, endpoint.bucket(),
                            store.prefix());
                }
                return aborted;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "flux-storage-s3-cleanup");
            t.setDaemon(true);
            t.start();
        });
        cleanup.exceptionally(e -> {
            LOG.warn("Cannot clean incomplete multipart uploads under s3://{}/{}: {}", endpoint.bucket(),
                    store.prefix(), e.getCause() != null ? e.getCause().getMessage() : e.toString());
            return 0;
        });
        LOG.info("S3 storage at {} bucket {} prefix '{}' (region {}, {} style, part size {} bytes, access key {})",
                endpoint.endpoint(), endpoint.bucket(), store.prefix(), endpoint.region(),
                endpoint.pathStyle() ? "path" : "virtual-host", config.part_size_bytes(), config.access_key());
    }

    private static String require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(Config.PID + ": '" + name + "' must be set");
        }
        return value;
    }

    private static Credentials credentials(Config config) {
        return new Credentials(config.access_key(), config._secret_key());
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
        // Requests already signed keep their credentials; the next ones use the new pair.
        store.client().credentials(credentials(config));
        RetryPolicy r = store.client().retry();
        store.client().retry(new RetryPolicy(config.max_retries(), r.baseDelay(), r.maxDelay()));
        if (!config.endpoint().equals(initial.endpoint()) || !config.bucket().equals(initial.bucket())
                || !config.region().equals(initial.region()) || !config.prefix().equals(initial.prefix())
                || config.path_style() != initial.path_style() || config.part_size_bytes() != initial.part_size_bytes()
                || config.connect_timeout_ms() != initial.connect_timeout_ms()
                || config.request_timeout_ms() != initial.request_timeout_ms()) {
            LOG.warn("S3 storage: endpoint, region, bucket, prefix, path.style, timeouts and part.size.bytes are "
                    + "restart-only; the changes apply after a restart");
        }
        LOG.info("S3 storage: credentials and retries updated (access key {})", config.access_key());
    }

    @Deactivate
    void deactivate() {
        cleanup.cancel(false);
        store.client().close();
        metrics.removeSeries();
    }

    CompletableFuture<Integer> cleanup() {
        return cleanup;
    }

    S3Store store() {
        return store;
    }

    @Override
    public String type() {
        return S3Store.BACKEND;
    }

    @Override
    public long write(String key, InputStream data) throws IOException {
        return store.write(key, data);
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
        details.put("endpoint", store.client().endpoint().endpoint().toString());
        details.put("bucket", store.client().endpoint().bucket());
        details.put("prefix", store.prefix());
        return new Readiness(h.available(), h.message(), details);
    }
}
