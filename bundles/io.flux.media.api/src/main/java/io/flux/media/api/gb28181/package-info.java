/**
 * The GB28181 backend service, embedded or remote.
 */
@Export
@Version("1.1.0")
package io.flux.media.api.gb28181;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
