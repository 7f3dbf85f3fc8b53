package io.flux.media.metrics.internal;

import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Bundle states, read from the framework at scrape time (nothing is polled or cached):
 * <ul>
 * <li>{@code osgi_bundles{state}}: how many bundles are in each state; every state is listed, zeros
 * included, so an alert on {@code osgi_bundles{state="installed"} > 0} has a series to watch.</li>
 * <li>{@code osgi_bundle_active{bundle}}: 1 when a bundle with that symbolic name is active, else 0.
 * Fragments are left out (they never become active), and two versions of one symbolic name count as
 * active when either is.</li>
 * </ul>
 */
final class BundleStateCollector implements MultiCollector {

    static final String BUNDLES = "osgi_bundles";
    static final String BUNDLE_ACTIVE = "osgi_bundle_active";

    /** Label values in lifecycle order; UNINSTALLED bundles are not returned by getBundles(). */
    private static final Map<Integer, String> STATES = Map.of(
            Bundle.INSTALLED, "installed",
            Bundle.RESOLVED, "resolved",
            Bundle.STARTING, "starting",
            Bundle.STOPPING, "stopping",
            Bundle.ACTIVE, "active");
    private static final int[] STATE_ORDER = {Bundle.INSTALLED, Bundle.RESOLVED, Bundle.STARTING, Bundle.STOPPING,
        Bundle.ACTIVE};

    private final BundleContext context;

    BundleStateCollector(BundleContext context) {
        this.context = context;
    }

    @Override
    public MetricSnapshots collect() {
        Bundle[] bundles;
        try {
            bundles = context.getBundles();
        } catch (IllegalStateException stopping) {
            // Our bundle context is no longer valid: the component is going away.
            bundles = new Bundle[0];
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        Map<String, Boolean> active = new TreeMap<>();
        for (Bundle bundle : bundles) {
            int state = bundle.getState();
            counts.merge(state, 1, Integer::sum);
            String name = bundle.getSymbolicName();
            if (name != null && !isFragment(bundle)) {
                active.merge(name, state == Bundle.ACTIVE, Boolean::logicalOr);
            }
        }

        GaugeSnapshot.Builder byState = GaugeSnapshot.builder()
                .name(BUNDLES)
                .help("Number of OSGi bundles in each lifecycle state.");
        for (int state : STATE_ORDER) {
            byState.dataPoint(GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("state", STATES.get(state)))
                    .value(counts.getOrDefault(state, 0))
                    .build());
        }
        GaugeSnapshot.Builder perBundle = GaugeSnapshot.builder()
                .name(BUNDLE_ACTIVE)
                .help("1 when the OSGi bundle with this symbolic name is active, 0 otherwise (fragments excluded).");
        active.forEach((name, isActive) -> perBundle.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(Labels.of("bundle", name))
                .value(isActive ? 1 : 0)
                .build()));
        return new MetricSnapshots(byState.build(), perBundle.build());
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }
}
