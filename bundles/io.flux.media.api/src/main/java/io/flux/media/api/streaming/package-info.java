/**
 * The streaming-server adapter SPI (MediaMTX).
 */
@Export
@Version("2.1.0")
package io.flux.media.api.streaming;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
