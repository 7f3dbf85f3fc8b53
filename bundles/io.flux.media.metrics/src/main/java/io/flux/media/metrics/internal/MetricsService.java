package io.flux.media.metrics.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.metrics.MetricsRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The server's one metrics registry: what bundles register through {@link MetricsRegistry}, plus the
 * built-in JVM and OSGi bundle-state metrics, whose names are reserved so no bundle can shadow them.
 */
@Component(service = {MetricsRegistry.class, MetricsScraper.class})
public final class MetricsService implements MetricsRegistry, MetricsScraper {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsService.class);

    private final PrometheusMetricsRegistry registry = new PrometheusMetricsRegistry();
    private final PrometheusRegistry jvm;
    private final BundleStateCollector bundles;
    private final Set<String> reportedDuplicates = ConcurrentHashMap.newKeySet();

    @Activate
    public MetricsService(BundleContext context) {
        this.jvm = JvmCollectors.registry();
        this.bundles = new BundleStateCollector(context);
        // Every built-in series starts with one of these, so no bundle metric can ever shadow one.
        registry.reservePrefix("jvm_", "JVM");
        registry.reservePrefix("process_", "JVM");
        registry.reservePrefix("osgi_", "OSGi bundle");
    }

    @Override
    public Counter counter(String name, String help, String... labelNames) {
        return registry.counter(name, help, labelNames);
    }

    @Override
    public Gauge gauge(String name, String help, String... labelNames) {
        return registry.gauge(name, help, labelNames);
    }

    @Override
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        return registry.histogram(name, help, buckets, labelNames);
    }

    @Override
    public void unregister(String name) {
        registry.unregister(name);
    }

    @Override
    public MetricSnapshots scrape() {
        List<MetricSnapshot> all = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        add(all, taken, jvm.scrape());
        add(all, taken, bundles.collect());
        add(all, taken, registry.scrape());
        return new MetricSnapshots(all);
    }

    /**
     * Adds one source's snapshots, skipping names an earlier source already produced. The reserved
     * prefixes prevent such clashes; this guards against a future JVM metric outside them, so that one
     * clash can never make the whole scrape fail.
     */
    private void add(List<MetricSnapshot> all, Set<String> taken, MetricSnapshots source) {
        List<String> names = new ArrayList<>();
        for (MetricSnapshot snapshot : source) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (taken.contains(name)) {
                if (reportedDuplicates.add(name)) {
                    LOG.warn("Metric {} is produced twice; exposing the built-in one only", name);
                }
                continue;
            }
            all.add(snapshot);
            names.add(name);
        }
        // Within one source the same name may legitimately come from several collectors; the writer merges them.
        taken.addAll(names);
    }
}
