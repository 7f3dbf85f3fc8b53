package io.flux.media.storage.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.server.ServerEnvironment;
import io.flux.media.storage.common.StorageMetrics;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

class LocalStorageBackendTest {

    @TempDir
    Path data;

    final AtomicLong free = new AtomicLong(10L * 1024 * 1024 * 1024);
    final DiskSpace disk = new DiskSpace() {
        @Override
        public long usableBytes(Path path) {
            return free.get();
        }

        @Override
        public long totalBytes(Path path) {
            return 20L * 1024 * 1024 * 1024;
        }
    };

    ServerEnvironment environment() {
        return new ServerEnvironment() {
            @Override
            public Path dataDirectory() {
                return data;
            }

            @Override
            public int httpPort() {
                return 8080;
            }

            @Override
            public String version() {
                return "test";
            }

            @Override
            public Instant startedAt() {
                return Instant.EPOCH;
            }
        };
    }

    @Test
    void rootDefaultsToRecordingsUnderTheDataDirectory() throws IOException {
        LocalStorageBackend backend = new LocalStorageBackend(environment(),
                Configs.defaults(LocalStorageBackend.Config.class), disk);
        assertThat(backend.root()).isEqualTo(data.resolve("recordings"));
        assertThat(data.resolve("recordings")).isDirectory();
        assertThat(backend.type()).isEqualTo("local");
        backend.deactivate();
    }

    @Test
    void anAbsoluteRootIsUsedAsIs() throws IOException {
        Path elsewhere = data.resolve("elsewhere/store");
        LocalStorageBackend backend = new LocalStorageBackend(environment(),
                Configs.of(LocalStorageBackend.Config.class, Map.of("root", elsewhere.toString())), disk);
        assertThat(backend.root()).isEqualTo(elsewhere);
        backend.deactivate();
    }

    @Test
    void crashLeftoversAreRemovedAtActivation() throws Exception {
        Path seg = data.resolve("recordings/rtsp/cam/segments");
        Files.createDirectories(seg);
        Path leftover = seg.resolve(".000007.mp4.tmp-0f0e0d0c-0b0a-4909-8807-060504030201");
        Files.writeString(leftover, "half");
        Files.writeString(seg.resolve("000006.mp4"), "whole");

        LocalStorageBackend backend = new LocalStorageBackend(environment(),
                Configs.defaults(LocalStorageBackend.Config.class), disk);
        assertThat(backend.cleanup().get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(seg.resolve("000006.mp4")).hasContent("whole");
        backend.deactivate();
    }

    @Test
    void readinessFollowsFreeSpaceAndHotThreshold() throws IOException {
        LocalStorageBackend backend = new LocalStorageBackend(environment(),
                Configs.defaults(LocalStorageBackend.Config.class), disk);
        Readiness up = backend.check();
        assertThat(up.ready()).isTrue();
        assertThat(up.details()).containsEntry("min_free_bytes", 1024L * 1024 * 1024)
                .containsEntry("free_bytes", free.get()).containsEntry("fsync", "ON_CLOSE");
        assertThat(backend.name()).isEqualTo("storage-local");

        backend.modified(Configs.of(LocalStorageBackend.Config.class,
                Map.of("min_free_bytes", 11L * 1024 * 1024 * 1024, "fsync", FsyncPolicy.NEVER)));
        Readiness down = backend.check();
        assertThat(down.ready()).isFalse();
        assertThat(down.message()).contains("below min.free.bytes");
        assertThat(down.details()).containsEntry("fsync", "NEVER");
        assertThatThrownBy(() -> backend.write("a/b", new ByteArrayInputStream(new byte[] { 1 })))
                .isInstanceOf(IOException.class).hasMessageContaining("refusing to write");
        backend.deactivate();
    }

    @Test
    void theRootIsRestartOnly() throws IOException {
        LocalStorageBackend backend = new LocalStorageBackend(environment(),
                Configs.defaults(LocalStorageBackend.Config.class), disk);
        backend.modified(Configs.of(LocalStorageBackend.Config.class, Map.of("root", "moved")));
        backend.write("k/v", new ByteArrayInputStream(new byte[] { 1 }));
        assertThat(data.resolve("recordings/k/v")).exists();
        assertThat(data.resolve("moved")).doesNotExist();
        backend.deactivate();
    }

    @Test
    void metricsSeriesOfThisBackendGoAwayAtDeactivation() throws IOException {
        FakeMetricsRegistry registry = new FakeMetricsRegistry();
        LocalStorageBackend backend = new LocalStorageBackend(environment(),
                Configs.defaults(LocalStorageBackend.Config.class), disk);
        backend.bindMetrics(registry);
        // Another backend's series in the shared metric must survive.
        registry.counter(StorageMetrics.WRITE_BYTES, "", "backend").inc(5, "nas");
        backend.write("k/v", new ByteArrayInputStream(new byte[3]));
        assertThatThrownBy(() -> backend.stat("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "local")).isEqualTo(3);
        assertThat(registry.value(StorageMetrics.ERRORS, "local", "stat", "invalid_key")).isEqualTo(1);

        backend.deactivate();
        assertThat(registry.has(StorageMetrics.WRITE_BYTES, "local")).isFalse();
        assertThat(registry.has(StorageMetrics.ERRORS, "local", "stat", "invalid_key")).isFalse();
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "nas")).isEqualTo(5);
    }
}
