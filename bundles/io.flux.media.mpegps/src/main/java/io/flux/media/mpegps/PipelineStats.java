package io.flux.media.mpegps;

/**
 * Counters of a {@link GbMediaPipeline} at one instant.
 *
 * @param datagrams        units received: UDP datagrams, or RFC 4571 frames over TCP
 * @param datagramBytes    their bytes (TCP: the bytes of the stream, framing included)
 * @param invalidPackets   units that are not RTP ({@link RtpError} other than RTCP)
 * @param rtcpPackets      RTCP packets (ignored)
 * @param rtpPackets       RTP packets with the expected SSRC and payload type (the session's packets)
 * @param rtpBytes         their bytes, headers included
 * @param wrongSsrcPackets RTP packets with another SSRC (dropped)
 * @param lastWrongSsrc    the SSRC of the last of those, or -1
 * @param wrongPayloadType RTP packets of the expected SSRC with another payload type (dropped)
 * @param lost             sequence numbers declared lost
 * @param late             packets that came after being declared lost (dropped)
 * @param duplicates       duplicate packets (dropped)
 * @param outOfRange       packets with a sequence number far out of range (dropped)
 * @param restarts         sender restarts of the sequence numbering followed
 * @param tcpFailure       why the RFC 4571 framing failed (the connection should be closed), or null
 * @param demux            the demuxer's counters
 */
public record PipelineStats(long datagrams, long datagramBytes, long invalidPackets, long rtcpPackets,
        long rtpPackets, long rtpBytes, long wrongSsrcPackets, long lastWrongSsrc, long wrongPayloadType, long lost,
        long late, long duplicates, long outOfRange, long restarts, String tcpFailure, DemuxStats demux) {
}
