package io.flux.media.testing.gb28181;

/**
 * Fault knobs of one device, for tests of the platform's error handling. Every knob may be changed at any time
 * from any thread and applies from the next message or frame; the defaults are a well-behaved device. Other
 * faults are actions on {@link SimDevice}: {@link SimDevice#password(String)} (wrong password),
 * {@link SimDevice#pauseKeepalives(boolean)}, {@link SimDevice#restart()}, {@link SimDevice#stopMedia(String)},
 * {@link SimDevice#sendGarbage(int)}.
 */
public final class SimFaults {

    /** How the device treats a MANSCDP query (Catalog, DeviceInfo, DeviceStatus). */
    public enum QueryReply {
        /** 200 OK, then the Response MESSAGE(s). */
        ANSWER,
        /** 200 OK and nothing else: the platform's query times out waiting for the response. */
        ACK_ONLY,
        /** No SIP response at all: the platform's MESSAGE transaction times out. */
        SILENT
    }

    private volatile QueryReply queryReply = QueryReply.ANSWER;
    private volatile int catalogPageLimit = Integer.MAX_VALUE;
    private volatile boolean wrongSsrc;
    private volatile boolean noMedia;
    private volatile boolean tcpNeverConnect;
    private volatile boolean garbageMedia;
    private volatile boolean busy;
    private volatile long stopMediaAfterPackets = -1;

    public QueryReply queryReply() {
        return queryReply;
    }

    public SimFaults queryReply(QueryReply reply) {
        this.queryReply = reply;
        return this;
    }

    public int catalogPageLimit() {
        return catalogPageLimit;
    }

    /** Sends only the first {@code pages} catalog pages (SumNum still announces every channel). */
    public SimFaults catalogPageLimit(int pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("pages < 0");
        }
        this.catalogPageLimit = pages;
        return this;
    }

    public boolean wrongSsrc() {
        return wrongSsrc;
    }

    /** Sends RTP with another SSRC than the one the INVITE's y= line asked for. */
    public SimFaults wrongSsrc(boolean on) {
        this.wrongSsrc = on;
        return this;
    }

    public boolean noMedia() {
        return noMedia;
    }

    /** Answers INVITEs (and connects over TCP) but never sends a packet. */
    public SimFaults noMedia(boolean on) {
        this.noMedia = on;
        return this;
    }

    public boolean tcpNeverConnect() {
        return tcpNeverConnect;
    }

    /** With the platform passive, answers the INVITE but never connects to the platform's media port. */
    public SimFaults tcpNeverConnect(boolean on) {
        this.tcpNeverConnect = on;
        return this;
    }

    public boolean garbageMedia() {
        return garbageMedia;
    }

    /** Before every UDP frame, sends a datagram that is not RTP to the media port. */
    public SimFaults garbageMedia(boolean on) {
        this.garbageMedia = on;
        return this;
    }

    public boolean busy() {
        return busy;
    }

    /** Answers every INVITE 486 Busy Here. */
    public SimFaults busy(boolean on) {
        this.busy = on;
        return this;
    }

    public long stopMediaAfterPackets() {
        return stopMediaAfterPackets;
    }

    /**
     * Each stream stops sending after this many packets while its session stays up (-1, the default: never).
     */
    public SimFaults stopMediaAfterPackets(long packets) {
        this.stopMediaAfterPackets = packets;
        return this;
    }

    /** Copies every knob from {@code other} (the CLI applies one set to all devices). */
    public SimFaults copyFrom(SimFaults other) {
        queryReply = other.queryReply;
        catalogPageLimit = other.catalogPageLimit;
        wrongSsrc = other.wrongSsrc;
        noMedia = other.noMedia;
        tcpNeverConnect = other.tcpNeverConnect;
        garbageMedia = other.garbageMedia;
        busy = other.busy;
        stopMediaAfterPackets = other.stopMediaAfterPackets;
        return this;
    }
}
