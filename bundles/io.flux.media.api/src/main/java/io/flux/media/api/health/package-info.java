/**
 * Readiness checks aggregated by GET /api/v1/health, and the sections of GET /api/v1/info.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
