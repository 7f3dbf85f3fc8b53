/**
 * Protocol handlers and the sink they push samples into.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.ingest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
