package io.flux.media.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.flux.media.api.metrics.MetricsRegistry;

/**
 * An in-memory {@link MetricsRegistry} that remembers every series' value, for assertions. Counters add
 * up, gauges hold the last value, histograms count observations in the series {@code <name>_count}.
 * Label values must match the declared label names in number, as the real registry requires.
 */
public final class FakeMetricsRegistry implements MetricsRegistry {

    private final Map<String, Map<List<String>, Double>> series = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    /** The series' value, 0 when it does not exist. */
    public double value(String name, String... labelValues) {
        return series.getOrDefault(name, Map.of()).getOrDefault(List.of(labelValues), 0.0);
    }

    /** Whether the series exists (was set or incremented, and not removed or unregistered since). */
    public boolean has(String name, String... labelValues) {
        return series.getOrDefault(name, Map.of()).containsKey(List.of(labelValues));
    }

    /** Names of the metrics that have at least one series. */
    public Set<String> names() {
        return series.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether a counter, gauge or histogram of that name was created and not unregistered since. */
    public boolean registered(String name) {
        return registered.contains(name);
    }

    private Map<List<String>, Double> series(String name) {
        return series.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
    }

    @Override
    public Counter counter(String name, String help, String... labelNames) {
        registered.add(name);
        return new Counter() {
            @Override
            public void inc(double amount, String... labelValues) {
                series(name).merge(labels(labelNames, labelValues), amount, Double::sum);
            }

            @Override
            public void remove(String... labelValues) {
                series(name).remove(List.of(labelValues));
            }
        };
    }

    @Override
    public Gauge gauge(String name, String help, String... labelNames) {
        registered.add(name);
        return new Gauge() {
            @Override
            public void set(double value, String... labelValues) {
                series(name).put(labels(labelNames, labelValues), value);
            }

            @Override
            public void remove(String... labelValues) {
                series(name).remove(List.of(labelValues));
            }
        };
    }

    @Override
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        registered.add(name);
        return new Histogram() {
            @Override
            public void observe(double value, String... labelValues) {
                series(name + "_count").merge(labels(labelNames, labelValues), 1.0, Double::sum);
            }

            @Override
            public void remove(String... labelValues) {
                series(name + "_count").remove(List.of(labelValues));
            }
        };
    }

    @Override
    public void unregister(String name) {
        registered.remove(name);
        series.remove(name);
        series.remove(name + "_count");
    }

    private static List<String> labels(String[] names, String[] values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException("labels " + String.join(",", names) + " but values "
                    + String.join(",", values));
        }
        return List.of(values);
    }
}
