/**
 * Bearer-token authentication shared by the REST API, the metrics endpoint and the Web Console.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
