package io.flux.media.snapshot.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.flux.media.api.metrics.MetricsRegistry;

/** A metrics registry that remembers every series' value, for assertions. */
final class RecordingMetrics implements MetricsRegistry {

    final Map<String, Map<List<String>, Double>> values = new ConcurrentHashMap<>();

    double value(String name, String... labels) {
        return values.getOrDefault(name, Map.of()).getOrDefault(List.of(labels), 0.0);
    }

    boolean has(String name, String... labels) {
        return values.getOrDefault(name, Map.of()).containsKey(List.of(labels));
    }

    private Map<List<String>, Double> series(String name) {
        return values.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
    }

    @Override
    public Counter counter(String name, String help, String... labelNames) {
        return new Counter() {
            @Override
            public void inc(double amount, String... labelValues) {
                series(name).merge(List.of(labelValues), amount, Double::sum);
            }

            @Override
            public void remove(String... labelValues) {
                series(name).remove(List.of(labelValues));
            }
        };
    }

    @Override
    public Gauge gauge(String name, String help, String... labelNames) {
        return new Gauge() {
            @Override
            public void set(double value, String... labelValues) {
                series(name).put(List.of(labelValues), value);
            }

            @Override
            public void remove(String... labelValues) {
                series(name).remove(List.of(labelValues));
            }
        };
    }

    @Override
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        return new Histogram() {
            @Override
            public void observe(double value, String... labelValues) {
                series(name + "_count").merge(List.of(labelValues), 1.0, Double::sum);
            }

            @Override
            public void remove(String... labelValues) {
                series(name + "_count").remove(List.of(labelValues));
            }
        };
    }

    @Override
    public void unregister(String name) {
        values.remove(name);
    }
}
