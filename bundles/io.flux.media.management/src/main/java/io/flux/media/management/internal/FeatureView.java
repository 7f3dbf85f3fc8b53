package io.flux.media.management.internal;

import java.util.List;

/**
 * A feature as {@code GET /api/v1/features} shows it. {@code error} is set (and the rest may be
 * partial) when its feature.json or one of its jars is unusable.
 */
public record FeatureView(String name, String description, boolean core, boolean boot, boolean installed,
        List<BundleEntry> bundles, List<String> configurations, String error) {

    /**
     * One jar of the feature; symbolic name and version come from the jar (or, for a core feature
     * whose jar is absent, from the running bundle); id and state only when it is installed.
     */
    public record BundleEntry(String file, String symbolic_name, String version, Long id, String state) {
    }
}
