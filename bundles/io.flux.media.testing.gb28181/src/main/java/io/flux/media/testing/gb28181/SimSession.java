package io.flux.media.testing.gb28181;

import java.net.InetSocketAddress;

/**
 * A snapshot of one media session of a device (an answered INVITE).
 *
 * @param channelId the channel the INVITE asked for
 * @param callId the dialog's Call-ID
 * @param ssrc the SSRC of the offer's y= line (what the platform expects; see {@link SimFaults#wrongSsrc})
 * @param transport how the media travels
 * @param remote the platform's media address from the offer
 * @param localPort the device's media port announced in the answer
 * @param acked the platform's ACK arrived
 * @param connected media can flow: UDP once acknowledged, TCP once the connection is established
 * @param packetsSent RTP packets sent
 * @param bytesSent RTP bytes sent
 * @param endReason why media stopped while the dialog is up (TCP closed by the platform, write failure, stopped by
 *        a fault), or null
 */
public record SimSession(String channelId, String callId, long ssrc, MediaTransport transport,
        InetSocketAddress remote, int localPort, boolean acked, boolean connected, long packetsSent, long bytesSent,
        String endReason) {
}
