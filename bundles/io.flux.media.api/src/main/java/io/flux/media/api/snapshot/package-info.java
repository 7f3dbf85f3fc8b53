/**
 * The snapshot provider SPI (keyframe, decode).
 */
@Export
@Version("1.0.0")
package io.flux.media.api.snapshot;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
