package io.flux.media.api.metrics;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registry behind {@code /metrics}. Bundles create their metrics here at activation and
 * {@link #unregister(String) unregister} them at deactivation, so a stopped bundle leaves no stale series.
 * Registering a name again with the same type and labels returns the existing metric.
 * <p>
 * Names follow Prometheus conventions ({@code snake_case}, counters end in {@code _total}); keep label
 * cardinality bounded (no per-sample or per-request ids).
 */
@ProviderType
public interface MetricsRegistry {

    Counter counter(String name, String help, String... labelNames);

    Gauge gauge(String name, String help, String... labelNames);

    /** A histogram with the given upper bounds (in the unit the name states, e.g. {@code _ms}, {@code _seconds}). */
    Histogram histogram(String name, String help, double[] buckets, String... labelNames);

    /** Removes a metric; no-op when absent. */
    void unregister(String name);

    @ProviderType
    interface Counter {
        void inc(double amount, String... labelValues);

        default void inc(String... labelValues) {
            inc(1, labelValues);
        }

        /** Forgets one labelled series (for example a stream that ended). */
        void remove(String... labelValues);
    }

    @ProviderType
    interface Gauge {
        void set(double value, String... labelValues);

        void remove(String... labelValues);
    }

    @ProviderType
    interface Histogram {
        void observe(double value, String... labelValues);

        void remove(String... labelValues);
    }
}
