/**
 * Codec parsing shared by every media bundle: H.264 and H.265 NAL units (Annex B and length-prefixed),
 * parameter sets, keyframe detection, access unit splitting, avcC/hvcC records, AAC ADTS headers and
 * AudioSpecificConfig. Plain static helpers without services. Parsers signal corrupt or truncated input
 * with {@link io.flux.media.codec.CodecException} and nothing else, and always terminate.
 * <p>
 * Buffers handed in are never modified (neither content nor position/limit); returned NAL units and access
 * units are slices sharing the caller's memory, so they are valid as long as the caller's buffer is.
 */
@Export
@Version("1.0.0")
package io.flux.media.codec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
