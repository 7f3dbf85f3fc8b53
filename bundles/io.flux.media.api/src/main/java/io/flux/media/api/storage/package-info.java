/**
 * The storage backend SPI: local disk, NAS and S3 implement it.
 */
@Export
@Version("1.1.0")
package io.flux.media.api.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
