package io.flux.media.metrics.internal;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Everything the server exposes on {@code /metrics}, snapshotted at call time. Registered as a service
 * next to {@link io.flux.media.api.metrics.MetricsRegistry} so the servlet component can read it; the
 * package is private, so no other bundle sees it.
 */
public interface MetricsScraper {

    MetricSnapshots scrape();
}
