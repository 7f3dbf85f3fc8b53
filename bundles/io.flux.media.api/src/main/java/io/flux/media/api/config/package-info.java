/**
 * Configuration policy: which fields of a component's configuration apply live.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
