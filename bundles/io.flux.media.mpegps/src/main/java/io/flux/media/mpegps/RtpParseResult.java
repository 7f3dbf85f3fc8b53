package io.flux.media.mpegps;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What {@link RtpPacket#parse(java.nio.ByteBuffer)} returns: the packet, or the {@link RtpError} saying why the
 * bytes are not one. Meant for a pattern {@code switch}; parsing garbage allocates nothing.
 */
@ProviderType
public sealed interface RtpParseResult permits RtpPacket, RtpError {
}
