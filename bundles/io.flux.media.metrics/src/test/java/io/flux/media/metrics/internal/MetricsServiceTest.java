package io.flux.media.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

class MetricsServiceTest {

    private final List<Bundle> bundles = new ArrayList<>();
    private final BundleContext context = mock(BundleContext.class);

    MetricsServiceTest() {
        when(context.getBundles()).thenAnswer(invocation -> bundles.toArray(Bundle[]::new));
    }

    private Bundle bundle(String symbolicName, int state) {
        Bundle bundle = mock(Bundle.class);
        when(bundle.getSymbolicName()).thenReturn(symbolicName);
        when(bundle.getState()).thenReturn(state);
        bundles.add(bundle);
        return bundle;
    }

    private void fragment(String symbolicName) {
        Bundle bundle = bundle(symbolicName, Bundle.RESOLVED);
        BundleRevision revision = mock(BundleRevision.class);
        when(revision.getTypes()).thenReturn(BundleRevision.TYPE_FRAGMENT);
        when(bundle.adapt(BundleRevision.class)).thenReturn(revision);
    }

    private static String text(MetricsService service) {
        return PrometheusTextFormatWriter.create().toDebugString(service.scrape());
    }

    @Test
    void exposesRegisteredMetricsNextToJvmMetrics() {
        bundle("org.apache.felix.framework", Bundle.ACTIVE);
        MetricsService service = new MetricsService(context);

        service.counter("flux_test_events_total", "Test events.", "kind").inc(4, "demo");
        service.gauge("flux_test_level", "Test level.").set(0.25);
        service.histogram("flux_test_seconds", "Test durations.", new double[] {1}).observe(0.5);

        assertThat(text(service)).contains(
                "flux_test_events_total{kind=\"demo\"} 4.0",
                "flux_test_level 0.25",
                "flux_test_seconds_bucket{le=\"1.0\"} 1",
                "# TYPE jvm_memory_used_bytes gauge",
                "jvm_memory_used_bytes{area=\"heap\"}",
                "jvm_threads_current ",
                "jvm_runtime_info{",
                "jvm_classes_currently_loaded ");
    }

    @Test
    void bundleStatesAreCountedAtScrapeTime() {
        bundle("org.apache.felix.framework", Bundle.ACTIVE);
        bundle("io.flux.media.api", Bundle.ACTIVE);
        Bundle rest = bundle("io.flux.media.rest", Bundle.RESOLVED);
        bundle("broken.plugin", Bundle.INSTALLED);
        fragment("natives.linux");
        // Two versions of one symbolic name: active when either is.
        bundle("twice", Bundle.RESOLVED);
        bundle("twice", Bundle.ACTIVE);
        // A legacy bundle without a symbolic name still counts per state.
        bundle(null, Bundle.ACTIVE);
        MetricsService service = new MetricsService(context);

        String text = text(service);
        assertThat(text).contains(
                "osgi_bundles{state=\"installed\"} 1.0",
                "osgi_bundles{state=\"resolved\"} 3.0",
                "osgi_bundles{state=\"starting\"} 0.0",
                "osgi_bundles{state=\"stopping\"} 0.0",
                "osgi_bundles{state=\"active\"} 4.0",
                "osgi_bundle_active{bundle=\"org.apache.felix.framework\"} 1.0",
                "osgi_bundle_active{bundle=\"io.flux.media.rest\"} 0.0",
                "osgi_bundle_active{bundle=\"broken.plugin\"} 0.0",
                "osgi_bundle_active{bundle=\"twice\"} 1.0")
                .containsOnlyOnce("osgi_bundle_active{bundle=\"twice\"}")
                .doesNotContain("natives.linux");

        // No polling: the next scrape sees the change.
        when(rest.getState()).thenReturn(Bundle.ACTIVE);
        assertThat(text(service)).contains(
                "osgi_bundle_active{bundle=\"io.flux.media.rest\"} 1.0",
                "osgi_bundles{state=\"active\"} 5.0",
                "osgi_bundles{state=\"resolved\"} 2.0");
    }

    @Test
    void builtInNamesCannotBeTakenByBundles() {
        bundle("org.apache.felix.framework", Bundle.ACTIVE);
        MetricsService service = new MetricsService(context);

        assertThatThrownBy(() -> service.gauge("osgi_bundles", "Mine."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("built-in OSGi bundle metrics");
        assertThatThrownBy(() -> service.gauge("jvm_threads_current", "Mine."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("built-in JVM metrics");
        assertThatThrownBy(() -> service.counter("process_cpu_seconds_total", "Mine."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("built-in JVM metrics");
        // Series that only appear later (after the first GC) are covered by the prefix too.
        assertThatThrownBy(() -> service.counter("jvm_memory_pool_allocated_bytes_total", "Mine."))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scrapeSurvivesAStoppedBundleContext() {
        MetricsService service = new MetricsService(context);
        when(context.getBundles()).thenThrow(new IllegalStateException("invalid context"));

        assertThat(text(service)).contains("jvm_threads_current ", "osgi_bundles{state=\"active\"} 0.0");
    }
}
