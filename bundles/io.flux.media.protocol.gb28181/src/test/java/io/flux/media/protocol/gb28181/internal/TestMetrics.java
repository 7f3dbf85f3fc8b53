package io.flux.media.protocol.gb28181.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.flux.media.api.metrics.MetricsRegistry;

/** An in-memory metrics registry: values by {@code name{label,values}}. */
final class TestMetrics implements MetricsRegistry {

    final Map<String, Double> values = new ConcurrentHashMap<>();

    double value(String name, String... labelValues) {
        return values.getOrDefault(key(name, labelValues), 0.0);
    }

    private static String key(String name, String... labelValues) {
        return name + List.of(labelValues);
    }

    @Override
    public Counter counter(String name, String help, String... labelNames) {
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
        throw new UnsupportedOperationException("the GB28181 server registers no histogram");
    }

    @Override
    public void unregister(String name) {
        values.keySet().removeIf(k -> k.startsWith(name + "["));
    }
}
