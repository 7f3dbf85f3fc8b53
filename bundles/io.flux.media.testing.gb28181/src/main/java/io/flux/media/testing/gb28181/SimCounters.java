package io.flux.media.testing.gb28181;

/**
 * A snapshot of a simulator's counters (totals since it was built).
 *
 * @param devices devices added
 * @param registered devices registered right now
 * @param sessions media sessions open right now (answered INVITEs not yet ended)
 * @param registrationsOk REGISTERs (including refreshes) answered 200 with a non-zero expiry
 * @param registrationsFailed registration attempts that ended without success (wrong password, 403, timeout...)
 * @param unregistrations REGISTERs with Expires 0 answered 200
 * @param keepalivesSent keepalive MESSAGEs sent
 * @param keepalivesFailed keepalives answered with an error or not at all
 * @param queriesAnswered MANSCDP queries answered with their Response MESSAGE(s)
 * @param responseMessagesSent Response MESSAGEs sent (each catalog page counts)
 * @param invitesAccepted INVITEs answered 200
 * @param invitesRejected INVITEs answered with an error (404, 486, 488)
 * @param byesReceived BYEs from the platform for a known session
 * @param byesSent BYEs the devices sent (hangups and shutdown)
 * @param rtpPackets RTP packets sent
 * @param rtpBytes RTP bytes sent (header and payload, without RFC 4571 length prefixes)
 * @param framesDropped frames a TCP stream skipped because the platform did not read fast enough
 * @param mediaResyncs times a stream was more than a second late and skipped ahead (the sender is overloaded)
 * @param garbageSent garbage datagrams or messages sent by the fault knobs
 * @param retransmissionsSent SIP requests sent again for lack of a response (UDP)
 * @param retransmissionsReceived retransmitted requests answered from the transaction's last response
 * @param malformedSip datagrams received that were not SIP
 * @param sipSendDrops SIP datagrams the socket would not take (its buffer was full)
 */
public record SimCounters(int devices, int registered, int sessions, long registrationsOk, long registrationsFailed,
        long unregistrations, long keepalivesSent, long keepalivesFailed, long queriesAnswered,
        long responseMessagesSent, long invitesAccepted, long invitesRejected, long byesReceived, long byesSent,
        long rtpPackets, long rtpBytes, long framesDropped, long mediaResyncs, long garbageSent,
        long retransmissionsSent, long retransmissionsReceived, long malformedSip, long sipSendDrops) {
}
