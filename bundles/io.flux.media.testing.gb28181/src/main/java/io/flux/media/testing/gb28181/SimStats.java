package io.flux.media.testing.gb28181;

import java.util.concurrent.atomic.LongAdder;

/** The simulator's counters, written from every thread; {@link #snapshot} reads them for the API. */
final class SimStats {

    final LongAdder registrationsOk = new LongAdder();
    final LongAdder registrationsFailed = new LongAdder();
    final LongAdder unregistrations = new LongAdder();
    final LongAdder keepalivesSent = new LongAdder();
    final LongAdder keepalivesFailed = new LongAdder();
    final LongAdder queriesAnswered = new LongAdder();
    final LongAdder responseMessagesSent = new LongAdder();
    final LongAdder invitesAccepted = new LongAdder();
    final LongAdder invitesRejected = new LongAdder();
    final LongAdder byesReceived = new LongAdder();
    final LongAdder byesSent = new LongAdder();
    final LongAdder rtpPackets = new LongAdder();
    final LongAdder rtpBytes = new LongAdder();
    final LongAdder framesDropped = new LongAdder();
    final LongAdder mediaResyncs = new LongAdder();
    final LongAdder garbageSent = new LongAdder();
    final LongAdder retransmissionsSent = new LongAdder();
    final LongAdder retransmissionsReceived = new LongAdder();
    final LongAdder malformedSip = new LongAdder();
    final LongAdder sipSendDrops = new LongAdder();

    SimCounters snapshot(int devices, int registered, int sessions) {
        return new SimCounters(devices, registered, sessions, registrationsOk.sum(), registrationsFailed.sum(),
                unregistrations.sum(), keepalivesSent.sum(), keepalivesFailed.sum(), queriesAnswered.sum(),
                responseMessagesSent.sum(), invitesAccepted.sum(), invitesRejected.sum(), byesReceived.sum(),
                byesSent.sum(), rtpPackets.sum(), rtpBytes.sum(), framesDropped.sum(), mediaResyncs.sum(),
                garbageSent.sum(), retransmissionsSent.sum(), retransmissionsReceived.sum(), malformedSip.sum(),
                sipSendDrops.sum());
    }
}
