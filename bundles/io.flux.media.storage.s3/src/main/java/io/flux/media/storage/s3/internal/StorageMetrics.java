package io.flux.media.storage.s3.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The storage metrics every backend shares ({@code storage_write_bytes_total{backend}},
 * {@code storage_errors_total{backend,op,reason}}). The names are shared with the local and NAS backends, so
 * this backend removes only its own series when it stops, never the whole metric.
 */
final class StorageMetrics {

    static final String WRITE_BYTES = "storage_write_bytes_total";
    static final String ERRORS = "storage_errors_total";

    private record Bound(MetricsRegistry registry, MetricsRegistry.Counter writeBytes, MetricsRegistry.Counter errors) {
    }

    private final String backend;
    private final Set<List<String>> errorSeries = ConcurrentHashMap.newKeySet();
    private volatile Bound bound;

    StorageMetrics(String backend) {
        this.backend = backend;
    }

    void bind(MetricsRegistry registry) {
        bound = new Bound(registry,
                registry.counter(WRITE_BYTES, "Bytes written to storage backends", "backend"),
                registry.counter(ERRORS, "Failed storage operations", "backend", "op", "reason"));
    }

    void unbind(MetricsRegistry registry) {
        Bound b = bound;
        if (b != null && b.registry == registry) {
            bound = null;
        }
    }

    void written(long bytes) {
        Bound b = bound;
        if (b != null && bytes > 0) {
            b.writeBytes.inc(bytes, backend);
        }
    }

    void error(String op, String reason) {
        Bound b = bound;
        if (b != null) {
            errorSeries.add(List.of(op, reason));
            b.errors.inc(backend, op, reason);
        }
    }

    /** Forgets this backend's series (at deactivation). */
    void removeSeries() {
        Bound b = bound;
        if (b == null) {
            return;
        }
        b.writeBytes.remove(backend);
        for (List<String> s : errorSeries) {
            b.errors.remove(backend, s.get(0), s.get(1));
        }
        errorSeries.clear();
    }
}
