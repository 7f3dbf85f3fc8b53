/**
 * The GB28181 media path as a library: RTP packets ({@link io.flux.media.mpegps.RtpPacket}), reordering and loss
 * accounting ({@link io.flux.media.mpegps.RtpReorderBuffer}), SSRC checking
 * ({@link io.flux.media.mpegps.SsrcFilter}), RFC 4571 framing over TCP ({@link io.flux.media.mpegps.Rfc4571Framer}),
 * MPEG-2 program stream demultiplexing into media core samples ({@link io.flux.media.mpegps.PsDemuxer}), and the
 * whole chain in one object ({@link io.flux.media.mpegps.GbMediaPipeline}).
 * <p>
 * Nothing here throws on bad input: garbage is counted and skipped. Nothing is thread-safe except
 * {@link io.flux.media.mpegps.GbMediaPipeline}; each stream has its own instances fed from one thread. Buffers
 * handed in are never modified and may be reused by the caller once the call returns.
 */
@Export
@Version("1.1.0")
package io.flux.media.mpegps;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
