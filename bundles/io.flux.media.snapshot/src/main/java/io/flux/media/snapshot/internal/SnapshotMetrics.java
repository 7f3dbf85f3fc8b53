package io.flux.media.snapshot.internal;

import io.flux.media.api.metrics.MetricsRegistry;

/** {@code snapshot_requests_total{mode,hit}}, {@code snapshot_latency_ms{mode}}, {@code snapshot_errors_total{reason}}. */
final class SnapshotMetrics {

    static final String REQUESTS = "snapshot_requests_total";
    static final String LATENCY = "snapshot_latency_ms";
    static final String ERRORS = "snapshot_errors_total";
    /** The latency label of answers served from the cache. */
    static final String CACHE = "cache";

    private static final double[] BUCKETS = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000 };

    private record Bound(MetricsRegistry registry, MetricsRegistry.Counter requests, MetricsRegistry.Histogram latency,
            MetricsRegistry.Counter errors) {
    }

    private volatile Bound bound;

    void bind(MetricsRegistry registry) {
        bound = new Bound(registry,
                registry.counter(REQUESTS, "Snapshots answered, by the mode that produced the picture and whether the "
                        + "cache served it", "mode", "hit"),
                registry.histogram(LATENCY, "Time to answer a snapshot request (mode cache for cache hits)", BUCKETS,
                        "mode"),
                registry.counter(ERRORS, "Snapshot requests that failed, by reason", "reason"));
    }

    void unbind(MetricsRegistry registry) {
        Bound b = bound;
        if (b != null && b.registry == registry) {
            bound = null;
        }
    }

    void answered(String mode, boolean hit, double latencyMs) {
        Bound b = bound;
        if (b != null) {
            b.requests.inc(mode, Boolean.toString(hit));
            b.latency.observe(latencyMs, hit ? CACHE : mode);
        }
    }

    void failed(String reason) {
        Bound b = bound;
        if (b != null) {
            b.errors.inc(reason);
        }
    }

    /** These names belong to this bundle alone, so they go away whole when it stops. */
    void unregister() {
        Bound b = bound;
        if (b != null) {
            b.registry.unregister(REQUESTS);
            b.registry.unregister(LATENCY);
            b.registry.unregister(ERRORS);
        }
    }
}
