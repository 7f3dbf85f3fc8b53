package io.flux.media.protocol.gb28181.internal.media;

import java.time.Instant;

/**
 * A receiver's counters.
 *
 * @param rtpPackets       packets of the session (right SSRC and payload type)
 * @param rtpBytes         their bytes
 * @param lost             sequence numbers declared lost
 * @param wrongSsrcPackets packets with another SSRC
 * @param samples          samples pushed to the media core
 * @param firstPacketAt    first packet of the session, null before
 * @param lastPacketAt     last packet of the session, null before
 * @param remote           where media comes from ({@code host:port}), null before any
 */
public record ReceiverStats(long rtpPackets, long rtpBytes, long lost, long wrongSsrcPackets, long samples,
        Instant firstPacketAt, Instant lastPacketAt, String remote) {

    public static final ReceiverStats NONE = new ReceiverStats(0, 0, 0, 0, 0, null, null, null);
}
