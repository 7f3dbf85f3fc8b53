package io.flux.media.recording.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.flux.media.api.metrics.MetricsRegistry;

/** Records counter and gauge values by name and label values. */
final class FakeMetrics implements MetricsRegistry {

    final Map<String, Double> values = new ConcurrentHashMap<>();
    final Map<String, List<String>> labels = new ConcurrentHashMap<>();

    static String key(String name, String... labelValues) {
        return labelValues.length == 0 ? name : name + List.of(labelValues);
    }

    double value(String name, String... labelValues) {
        return values.getOrDefault(key(name, labelValues), 0.0);
    }

    @Override
    public Counter counter(String name, String help, String... labelNames) {
        labels.put(name, List.of(labelNames));
        return new Counter() {
            @Override
            public void inc(double amount, String... labelValues) {
                values.merge(key(name, labelValues), amount, Double::sum);
            }

            @Override
            public void remove(String... labelValues) {
                values.remove(key(name, labelValues));
            }
        };
    }

    @Override
    public Gauge gauge(String name, String help, String... labelNames) {
        labels.put(name, List.of(labelNames));
        return new Gauge() {
            @Override
            public void set(double value, String... labelValues) {
                values.put(key(name, labelValues), value);
            }

            @Override
            public void remove(String... labelValues) {
                values.remove(key(name, labelValues));
            }
        };
    }

    @Override
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        throw new UnsupportedOperationException("the recorder has no histograms");
    }

    @Override
    public void unregister(String name) {
        labels.remove(name);
        values.keySet().removeIf(k -> k.equals(name) || k.startsWith(name + "["));
    }
}
