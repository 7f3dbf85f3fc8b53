package io.flux.media.metrics.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.metrics.MetricsRegistry;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * {@link MetricsRegistry} on a Prometheus registry owned by this instance (never the library's global
 * default registry).
 * <p>
 * Metrics are keyed by their Prometheus name: a counter's name without {@code _total}, so
 * {@code counter("x")} and {@code counter("x_total")} are the same metric, exposed as {@code x_total}.
 * Besides the name itself, each metric claims the series names it exposes ({@code _total},
 * {@code _created}, {@code _bucket}, {@code _count}, {@code _sum}); a metric whose series would collide
 * with another one is refused when it is registered, so a scrape can never fail on a clash.
 */
final class PrometheusMetricsRegistry implements MetricsRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricsRegistry.class);

    /** Prometheus' legacy name syntax without colons (those are for recording rules). */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Suffixes the exposition formats append themselves; a base name carrying one is ambiguous. */
    private static final List<String> RESERVED_SUFFIXES = List.of("_total", "_created", "_bucket", "_info");
    private static final String TOTAL = "_total";

    enum Kind {
        COUNTER, GAUGE, HISTOGRAM;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One registered metric; {@code buckets} only for histograms. */
    private record Entry(String name, Kind kind, List<String> labelNames, double[] buckets, Set<String> exposed,
            StatefulMetric<?, ?> metric, Object handle) {
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    /** Prometheus name -> entry. Guarded by {@code this}; registration is rare, scraping does not lock. */
    private final Map<String, Entry> entries = new HashMap<>();
    /** Exposed series name -> Prometheus name of the metric exposing it. Guarded by {@code this}. */
    private final Map<String, String> exposedBy = new HashMap<>();
    /** Name prefix -> owner of the built-in metrics using it. Guarded by {@code this}. */
    private final Map<String, String> reservedPrefixes = new HashMap<>();

    @Override
    public synchronized Counter counter(String name, String help, String... labelNames) {
        String key = checkName(name);
        checkPrefix(name);
        if (key.endsWith(TOTAL)) {
            key = key.substring(0, key.length() - TOTAL.length());
        }
        checkBase(name, key);
        List<String> labels = checkLabels(name, labelNames, Kind.COUNTER);
        Entry existing = existing(name, key, Kind.COUNTER, labels);
        if (existing != null) {
            return (Counter) existing.handle();
        }
        Set<String> exposed = Set.of(key + TOTAL, key + "_created");
        claim(name, key, exposed);
        try {
            io.prometheus.metrics.core.metrics.Counter metric = io.prometheus.metrics.core.metrics.Counter.builder()
                    .name(key + TOTAL)
                    .help(help)
                    .labelNames(labels.toArray(String[]::new))
                    .withoutExemplars()
                    .register(registry);
            Counter handle = new CounterHandle(key + TOTAL, labels, metric);
            entries.put(key, new Entry(key + TOTAL, Kind.COUNTER, labels, null, exposed, metric, handle));
            return handle;
        } catch (RuntimeException e) {
            release(key, exposed);
            throw e;
        }
    }

    @Override
    public synchronized Gauge gauge(String name, String help, String... labelNames) {
        String key = checkName(name);
        checkPrefix(name);
        checkBase(name, key);
        List<String> labels = checkLabels(name, labelNames, Kind.GAUGE);
        Entry existing = existing(name, key, Kind.GAUGE, labels);
        if (existing != null) {
            return (Gauge) existing.handle();
        }
        Set<String> exposed = Set.of(key);
        claim(name, key, exposed);
        try {
            io.prometheus.metrics.core.metrics.Gauge metric = io.prometheus.metrics.core.metrics.Gauge.builder()
                    .name(key)
                    .help(help)
                    .labelNames(labels.toArray(String[]::new))
                    .withoutExemplars()
                    .register(registry);
            Gauge handle = new GaugeHandle(key, labels, metric);
            entries.put(key, new Entry(key, Kind.GAUGE, labels, null, exposed, metric, handle));
            return handle;
        } catch (RuntimeException e) {
            release(key, exposed);
            throw e;
        }
    }

    @Override
    public synchronized Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        String key = checkName(name);
        checkPrefix(name);
        checkBase(name, key);
        List<String> labels = checkLabels(name, labelNames, Kind.HISTOGRAM);
        double[] bounds = checkBuckets(name, buckets);
        Entry existing = existing(name, key, Kind.HISTOGRAM, labels);
        if (existing != null) {
            if (!Arrays.equals(existing.buckets(), bounds)) {
                // The contract returns the existing metric for the same name, type and labels.
                LOG.warn("Histogram {} is already registered with buckets {}; keeping those, not {}",
                        key, Arrays.toString(existing.buckets()), Arrays.toString(bounds));
            }
            return (Histogram) existing.handle();
        }
        Set<String> exposed = Set.of(key + "_bucket", key + "_count", key + "_sum", key + "_created");
        claim(name, key, exposed);
        try {
            io.prometheus.metrics.core.metrics.Histogram metric = io.prometheus.metrics.core.metrics.Histogram.builder()
                    .name(key)
                    .help(help)
                    .labelNames(labels.toArray(String[]::new))
                    // Native histograms cannot be rendered in the text format; don't pay for them.
                    .classicOnly()
                    .classicUpperBounds(bounds)
                    .withoutExemplars()
                    .register(registry);
            Histogram handle = new HistogramHandle(key, labels, metric);
            entries.put(key, new Entry(key, Kind.HISTOGRAM, labels, bounds, exposed, metric, handle));
            return handle;
        } catch (RuntimeException e) {
            release(key, exposed);
            throw e;
        }
    }

    @Override
    public synchronized void unregister(String name) {
        if (name == null) {
            return;
        }
        Entry entry = entries.get(name);
        String key = name;
        if (entry == null && name.endsWith(TOTAL)) {
            key = name.substring(0, name.length() - TOTAL.length());
            entry = entries.get(key);
            if (entry != null && entry.kind() != Kind.COUNTER) {
                entry = null;
            }
        }
        if (entry == null) {
            return;
        }
        entries.remove(key);
        release(key, entry.exposed());
        registry.unregister(entry.metric());
    }

    /**
     * Reserves a whole name prefix for a built-in source, covering series that only appear later (the
     * JVM's allocation counter shows up after the first garbage collection).
     */
    synchronized void reservePrefix(String prefix, String owner) {
        reservedPrefixes.put(prefix, owner);
    }

    /** The metrics registered through this registry (built-in sources are scraped by their owner). */
    MetricSnapshots scrape() {
        return registry.scrape();
    }

    private void checkPrefix(String name) {
        reservedPrefixes.forEach((prefix, owner) -> {
            if (name.startsWith(prefix)) {
                throw new IllegalArgumentException("Metric name '" + name + "' uses the prefix '" + prefix
                        + "', reserved for the built-in " + owner + " metrics");
            }
        });
    }

    private Entry existing(String name, String key, Kind kind, List<String> labels) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.kind() != kind || !entry.labelNames().equals(labels)) {
            throw new IllegalArgumentException("Metric '" + name + "' clashes with the registered " + entry.kind().label()
                    + " '" + entry.name() + "' with labels " + entry.labelNames() + ": cannot register a "
                    + kind.label() + " with labels " + labels);
        }
        return entry;
    }

    private void claim(String name, String key, Set<String> exposed) {
        // A metric's own name may be the exposed series of another one (gauge x_count vs histogram x).
        String owner = exposedBy.get(key);
        if (owner != null && !owner.equals(key)) {
            throw clash(name, key, owner);
        }
        for (String series : exposed) {
            owner = exposedBy.get(series);
            if (owner != null && !owner.equals(key)) {
                throw clash(name, series, owner);
            }
            Entry other = entries.get(series);
            if (other != null) {
                throw clash(name, series, series);
            }
        }
        exposed.forEach(s -> exposedBy.put(s, key));
    }

    private IllegalArgumentException clash(String name, String series, String ownerKey) {
        Entry owner = entries.get(ownerKey);
        String what = owner == null ? "'" + ownerKey + "'" : "the " + owner.kind().label() + " '" + owner.name() + "'";
        return new IllegalArgumentException("Metric '" + name + "' clashes with " + what + ": both would expose '"
                + series + "'");
    }

    private void release(String key, Set<String> exposed) {
        exposed.forEach(s -> exposedBy.remove(s, key));
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid metric name '" + name
                    + "': use letters, digits and underscores, not starting with a digit");
        }
        if (name.startsWith("__")) {
            throw new IllegalArgumentException("Invalid metric name '" + name + "': names starting with '__' are reserved");
        }
        return name;
    }

    private static void checkBase(String name, String base) {
        if (base.isEmpty()) {
            throw new IllegalArgumentException("Invalid metric name '" + name + "': nothing before '_total'");
        }
        for (String suffix : RESERVED_SUFFIXES) {
            if (base.endsWith(suffix)) {
                String hint = suffix.equals(TOTAL) ? " (only counters end in _total)" : "";
                throw new IllegalArgumentException("Invalid metric name '" + name + "': '" + suffix
                        + "' is a suffix the exposition format adds itself" + hint);
            }
        }
    }

    private static List<String> checkLabels(String name, String[] labelNames, Kind kind) {
        if (labelNames == null) {
            return List.of();
        }
        Set<String> seen = new HashSet<>();
        for (String label : labelNames) {
            if (label == null || !NAME.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("Invalid label name '" + label + "' for metric '" + name
                        + "': use letters, digits and underscores, not starting with a digit or '__'");
            }
            if (kind == Kind.HISTOGRAM && label.equals("le")) {
                throw new IllegalArgumentException("Invalid label name 'le' for histogram '" + name
                        + "': the exposition format uses it for the bucket bound");
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException("Duplicate label name '" + label + "' for metric '" + name + "'");
            }
        }
        return List.of(labelNames);
    }

    /** Upper bounds, strictly increasing, finite except an optional last +Inf; returned with +Inf appended. */
    private static double[] checkBuckets(String name, double[] buckets) {
        if (buckets == null || buckets.length == 0) {
            throw new IllegalArgumentException("Histogram '" + name + "' needs at least one bucket upper bound");
        }
        for (int i = 0; i < buckets.length; i++) {
            double bound = buckets[i];
            boolean lastInfinity = bound == Double.POSITIVE_INFINITY && i == buckets.length - 1;
            if (Double.isNaN(bound) || (Double.isInfinite(bound) && !lastInfinity)) {
                throw new IllegalArgumentException("Histogram '" + name + "' has an invalid bucket bound " + bound);
            }
            if (i > 0 && !(bound > buckets[i - 1])) {
                throw new IllegalArgumentException("Histogram '" + name + "' bucket bounds must be strictly increasing: "
                        + Arrays.toString(buckets));
            }
        }
        if (buckets[buckets.length - 1] == Double.POSITIVE_INFINITY) {
            return buckets.clone();
        }
        double[] bounds = Arrays.copyOf(buckets, buckets.length + 1);
        bounds[buckets.length] = Double.POSITIVE_INFINITY;
        return bounds;
    }

    /** Checks the values against the metric's label names and returns them as the library expects them. */
    static String[] labelValues(String metric, List<String> labelNames, String[] values) {
        String[] given = values == null ? new String[0] : values;
        if (given.length != labelNames.size()) {
            throw new IllegalArgumentException("Metric '" + metric + "' has labels " + labelNames + " but got "
                    + given.length + " label value(s)");
        }
        for (int i = 0; i < given.length; i++) {
            if (given[i] == null) {
                throw new IllegalArgumentException("Metric '" + metric + "': null value for label '" + labelNames.get(i)
                        + "'");
            }
        }
        return given;
    }

    private record CounterHandle(String name, List<String> labelNames, io.prometheus.metrics.core.metrics.Counter metric)
            implements Counter {

        @Override
        public void inc(double amount, String... labelValues) {
            if (!(amount >= 0) || Double.isInfinite(amount)) {
                throw new IllegalArgumentException("Counter '" + name + "' cannot be increased by " + amount);
            }
            metric.labelValues(labelValues(name, labelNames, labelValues)).inc(amount);
        }

        @Override
        public void remove(String... labelValues) {
            metric.remove(labelValues(name, labelNames, labelValues));
        }
    }

    private record GaugeHandle(String name, List<String> labelNames, io.prometheus.metrics.core.metrics.Gauge metric)
            implements Gauge {

        @Override
        public void set(double value, String... labelValues) {
            metric.labelValues(labelValues(name, labelNames, labelValues)).set(value);
        }

        @Override
        public void remove(String... labelValues) {
            metric.remove(labelValues(name, labelNames, labelValues));
        }
    }

    private record HistogramHandle(String name, List<String> labelNames,
            io.prometheus.metrics.core.metrics.Histogram metric) implements Histogram {

        @Override
        public void observe(double value, String... labelValues) {
            if (Double.isNaN(value)) {
                throw new IllegalArgumentException("Histogram '" + name + "' cannot observe NaN");
            }
            metric.labelValues(labelValues(name, labelNames, labelValues)).observe(value);
        }

        @Override
        public void remove(String... labelValues) {
            metric.remove(labelValues(name, labelNames, labelValues));
        }
    }

}
