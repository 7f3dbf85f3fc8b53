/**
 * Elementary-stream samples (access units) as protocol handlers hand them to the media core.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.sample;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
