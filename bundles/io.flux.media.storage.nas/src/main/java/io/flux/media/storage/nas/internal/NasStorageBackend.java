package io.flux.media.storage.nas.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

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
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.Bytes;
import io.flux.media.storage.common.StorageMetrics;

/**
 * The {@code nas} storage backend: objects are files on an SMB 2/3 share, reached directly (no OS mount).
 * It needs a configuration (at least the share URL), so it stays inactive until one exists.
 */
@Component(name = NasStorageBackend.Config.PID, configurationPid = NasStorageBackend.Config.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = StorageBackend.class, immediate = true,
        property = StorageBackend.TYPE + "=" + NasStore.BACKEND)
@Designate(ocd = NasStorageBackend.Config.class)
@HotUpdatable({ "domain", "user", ".password", "reconnect.min.ms", "reconnect.max.ms", "min.free.bytes" })
public class NasStorageBackend implements StorageBackend {

    @ObjectClassDefinition(name = "Flux NAS storage",
            description = "Keeps recordings, keyframes and snapshots on an SMB 2/3 share (a NAS), without an OS mount.")
    public @interface Config {
        String PID = "io.flux.media.storage.nas";

        @AttributeDefinition(name = "Share URL",
                description = "smb://host[:port]/share[/base/dir]. Objects live below the base directory, which is "
                        + "created when missing. No credentials in the URL. Restart-only.")
        String share_url();

        @AttributeDefinition(name = "Domain", required = false,
                description = "Windows domain or workgroup of the user; empty for a local account. Hot-updatable.")
        String domain() default "";

        @AttributeDefinition(name = "User", required = false,
                description = "User name; empty logs in anonymously. Hot-updatable.")
        String user() default "";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
                description = "Password of the user. Never logged. Hot-updatable: the next call logs in with it.")
        String _password() default "";

        @AttributeDefinition(name = "Connect timeout (ms)", min = "100",
                description = "Limit for opening the TCP connection. Restart-only.")
        int connect_timeout_ms() default 5000;

        @AttributeDefinition(name = "I/O timeout (ms)", min = "100",
                description = "Limit for each SMB request's answer (read, write, list, ...). Restart-only.")
        int io_timeout_ms() default 30000;

        @AttributeDefinition(name = "Reconnect backoff minimum (ms)", min = "1",
                description = "Wait after the first failed connection attempt; doubles per failure. Hot-updatable.")
        long reconnect_min_ms() default 1000;

        @AttributeDefinition(name = "Reconnect backoff maximum (ms)", min = "1",
                description = "Longest wait between connection attempts. Hot-updatable.")
        long reconnect_max_ms() default 60000;

        @AttributeDefinition(name = "Minimum free space (bytes)", min = "0",
                description = "Writes are refused while less than this is free on the share (checked before and "
                        + "every 32 MiB during each write). Hot-updatable.")
        long min_free_bytes() default 1024L * 1024 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(NasStorageBackend.class);
    /** Bytes per SMB read/write request; Samba and Windows negotiate at least 1 MiB with SMB 2.1+. */
    static final int CHUNK_BYTES = 1024 * 1024;

    private final StorageMetrics metrics = new StorageMetrics(NasStore.BACKEND);
    private final String configuredUrl;
    private final ShareConnector connector;
    private final NasStore store;

    @Activate
    public NasStorageBackend(Config config) {
        this.configuredUrl = config.share_url();
        ShareUrl url = ShareUrl.parse(config.share_url());
        this.connector = new ShareConnector(url, credentials(config), backoff(config), config.connect_timeout_ms(),
                config.io_timeout_ms());
        this.store = new NasStore(url, connector, metrics, config.min_free_bytes(), CHUNK_BYTES,
                Math.max(1000, config.io_timeout_ms()));
        LOG.info("NAS storage at {} as {} (connect timeout {} ms, I/O timeout {} ms, min free {})", url,
                credentials(config), config.connect_timeout_ms(), config.io_timeout_ms(),
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
        connector.update(credentials(config), backoff(config));
        store.minFreeBytes(config.min_free_bytes());
        if (!config.share_url().equals(configuredUrl)) {
            LOG.warn("NAS share URL changed to '{}'; it is restart-only, still using {}", config.share_url(),
                    store.url());
        }
    }

    @Deactivate
    void deactivate() {
        connector.close();
        metrics.removeSeries();
    }

    private static ShareConnector.Credentials credentials(Config config) {
        return new ShareConnector.Credentials(config.domain(), config.user(), config._password());
    }

    private static ShareConnector.Backoff backoff(Config config) {
        return new ShareConnector.Backoff(config.reconnect_min_ms(), config.reconnect_max_ms());
    }

    ShareConnector connector() {
        return connector;
    }

    @Override
    public String type() {
        return NasStore.BACKEND;
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
}
