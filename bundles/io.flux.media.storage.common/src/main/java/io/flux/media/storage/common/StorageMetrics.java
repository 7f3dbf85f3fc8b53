package io.flux.media.storage.common;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The storage metrics every backend shares ({@code storage_write_bytes_total{backend}},
 * {@code storage_errors_total{backend,op,reason}}). Each backend has its own instance, labelled with its
 * backend name, and chooses its own {@code reason} labels (the README of each backend lists them). The metric
 * names are shared between backends, so an instance removes only its own series when its backend stops,
 * never the whole metric.
 */
public final class StorageMetrics {

    public static final String WRITE_BYTES = "storage_write_bytes_total";
    public static final String ERRORS = "storage_errors_total";

    private record Bound(MetricsRegistry registry, MetricsRegistry.Counter writeBytes, MetricsRegistry.Counter errors) {
    }

    private final String backend;
    private final Set<List<String>> errorSeries = ConcurrentHashMap.newKeySet();
    private volatile Bound bound;

    /** @param backend the {@code backend} label ({@code local}, {@code nas}, {@code s3}) */
    public StorageMetrics(String backend) {
        this.backend = backend;
    }

    public void bind(MetricsRegistry registry) {
        bound = new Bound(registry,
                registry.counter(WRITE_BYTES, "Bytes written to storage backends", "backend"),
                registry.counter(ERRORS, "Failed storage operations", "backend", "op", "reason"));
    }

    public void unbind(MetricsRegistry registry) {
        Bound b = bound;
        if (b != null && b.registry == registry) {
            bound = null;
        }
    }

    public void written(long bytes) {
        Bound b = bound;
        if (b != null && bytes > 0) {
            b.writeBytes.inc(bytes, backend);
        }
    }

    /**
     * Counts a failed operation.
     *
     * @param op     {@code write}, {@code read}, {@code list}, {@code delete} or {@code stat}
     * @param reason the backend's classification of the failure ({@code invalid_key}, {@code io}, ...)
     */
    public void error(String op, String reason) {
        Bound b = bound;
        if (b != null) {
            errorSeries.add(List.of(op, reason));
            b.errors.inc(backend, op, reason);
        }
    }

    /** Forgets this backend's series (at deactivation). */
    public void removeSeries() {
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
