/**
 * Protocol-independent stream identity.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.stream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
