/**
 * The platform database: one pooled DataSource plus versioned schema migrations per owning bundle.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.persistence;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
