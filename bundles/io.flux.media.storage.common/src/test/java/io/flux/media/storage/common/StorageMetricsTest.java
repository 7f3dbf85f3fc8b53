package io.flux.media.storage.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.flux.media.testing.FakeMetricsRegistry;

class StorageMetricsTest {

    final FakeMetricsRegistry registry = new FakeMetricsRegistry();

    @Test
    void countsOnlyWhileBoundAndRemovesOnlyItsOwnSeries() {
        StorageMetrics nas = new StorageMetrics("nas");
        StorageMetrics s3 = new StorageMetrics("s3");
        nas.written(5);
        nas.error("write", "io");
        assertThat(registry.has(StorageMetrics.WRITE_BYTES, "nas")).isFalse();

        nas.bind(registry);
        s3.bind(registry);
        nas.written(5);
        nas.written(0);
        nas.error("write", "unreachable");
        nas.error("write", "unreachable");
        s3.written(7);
        s3.error("read", "server");
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "nas")).isEqualTo(5);
        assertThat(registry.value(StorageMetrics.ERRORS, "nas", "write", "unreachable")).isEqualTo(2);

        nas.removeSeries();
        assertThat(registry.has(StorageMetrics.WRITE_BYTES, "nas")).isFalse();
        assertThat(registry.has(StorageMetrics.ERRORS, "nas", "write", "unreachable")).isFalse();
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "s3")).isEqualTo(7);
        assertThat(registry.value(StorageMetrics.ERRORS, "s3", "read", "server")).isEqualTo(1);

        s3.unbind(new FakeMetricsRegistry());
        s3.written(1);
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "s3")).isEqualTo(8);
        s3.unbind(registry);
        s3.written(1);
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "s3")).isEqualTo(8);
    }
}
