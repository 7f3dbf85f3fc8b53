/**
 * The server's own environment: data directory, HTTP port, version, start time.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.server;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
