/**
 * SLF4J logging for the embedded JAIN SIP reference implementation, and the stack properties that select it.
 */
@Export
@Version("1.0.0")
package io.flux.media.lib.jainsip;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
