/**
 * Conventions shared by every REST resource bundle: the application name and the one error shape.
 */
@Export
@Version("1.0.0")
package io.flux.media.api.rest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
