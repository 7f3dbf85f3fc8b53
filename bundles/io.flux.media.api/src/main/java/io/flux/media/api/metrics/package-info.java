/**
 * The metrics registry other bundles add their own Prometheus metrics to, without depending on a metrics library.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
