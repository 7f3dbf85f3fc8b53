package io.flux.media.metrics.internal;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The JVM metrics, in a registry of their own that lives as long as this bundle's class loader.
 * <p>
 * {@link JvmMetrics} remembers every registry it was registered with in a static set of the Prometheus
 * bundle and adds JMX notification listeners that are never removed. Registering it once per component
 * activation would leak a registry (and listeners) on every reactivation, and registering it into the
 * component's registry would pin this bundle's classes (the bundle-state collector) in the Prometheus
 * bundle after an update. This registry holds only Prometheus classes.
 */
final class JvmCollectors {

    private JvmCollectors() {
    }

    static PrometheusRegistry registry() {
        return Holder.REGISTRY;
    }

    private static final class Holder {
        static final PrometheusRegistry REGISTRY = create();

        private static PrometheusRegistry create() {
            PrometheusRegistry registry = new PrometheusRegistry();
            JvmMetrics.builder().register(registry);
            return registry;
        }
    }
}
