package io.flux.media.mpegps;

/**
 * Checks the SSRC of incoming RTP packets against the one a session expects (GB28181 allocates it in the SDP
 * {@code y=} line), counting packets with another SSRC apart, so that a session receiving only those can say so
 * ("packets arrive, but with SSRC x instead of y") instead of "no packets". Not thread-safe.
 */
public final class SsrcFilter {

    private long expected;
    private final boolean learn;
    private long accepted;
    private long rejected;
    private long lastRejected = -1;

    private SsrcFilter(long expected, boolean learn) {
        this.expected = expected;
        this.learn = learn;
    }

    /** Accepts only {@code ssrc} (unsigned 32-bit). */
    public static SsrcFilter expecting(long ssrc) {
        if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("SSRC must be an unsigned 32-bit value, not " + ssrc);
        }
        return new SsrcFilter(ssrc, false);
    }

    /** Locks onto the SSRC of the first packet, then accepts only that one. */
    public static SsrcFilter learning() {
        return new SsrcFilter(-1, true);
    }

    /** Whether a packet with this SSRC belongs to the session; counts it either way. */
    public boolean accept(long ssrc) {
        if (expected < 0 && learn) {
            expected = ssrc;
        }
        if (ssrc == expected) {
            accepted++;
            return true;
        }
        rejected++;
        lastRejected = ssrc;
        return false;
    }

    public boolean accept(RtpPacket packet) {
        return accept(packet.ssrc());
    }

    /** The SSRC accepted, or -1 while a learning filter has seen nothing. */
    public long expected() {
        return expected;
    }

    /** Packets accepted. */
    public long accepted() {
        return accepted;
    }

    /** Packets with another SSRC. */
    public long rejected() {
        return rejected;
    }

    /** The SSRC of the last rejected packet, or -1. */
    public long lastRejected() {
        return lastRejected;
    }
}
