package io.flux.media.mpegps;

import java.util.Arrays;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Puts RTP packets of one SSRC back into sequence order over a small window, and accounts for loss.
 * <p>
 * A packet that arrives ahead of the next expected sequence number is held (copied, so the caller may reuse its
 * receive buffer) while at most {@code window} later numbers are outstanding; once a packet would need more, the
 * missing numbers are declared lost and everything held up to there is delivered in order. Sequence numbers
 * wrap at 65536. A packet for a number already delivered is a duplicate, one for a number already declared lost
 * is late; both are dropped. A jump of more than 3000 numbers ahead or 1024 behind is taken as a sender restart
 * (RFC 3550 A.1) only when the next packet follows it; otherwise it is dropped as out of range.
 * <p>
 * Not thread-safe. Memory is bounded by the window.
 */
public final class RtpReorderBuffer {

    /** Receives packets in sequence order. */
    @ConsumerType
    @FunctionalInterface
    public interface Output {
        /**
         * @param packet        the next packet in order; its buffers are valid only during the call
         * @param discontinuity true when packets before this one were lost, or the sender restarted its numbering
         */
        void onPacket(RtpPacket packet, boolean discontinuity);
    }

    /** Largest window accepted. */
    public static final int MAX_WINDOW = 1024;
    /** Jump ahead beyond which a packet is suspected to be a sender restart rather than loss (RFC 3550 A.1). */
    static final int MAX_DROPOUT = 3000;
    /** How far behind a packet is still classified as late or duplicate. */
    static final int HISTORY = 1024;
    private static final int BITS = 2048;

    private final int window;
    private final RtpPacket[] held;
    private final int mask;
    /** Delivered flag of the last sequence numbers passed, indexed by sequence number mod {@link #BITS}. */
    private final long[] delivered = new long[BITS / 64];
    private boolean started;
    private int expected;
    private int heldCount;
    private boolean gap;
    private RtpPacket probation;

    private long received;
    private long deliveredCount;
    private long lost;
    private long late;
    private long duplicates;
    private long outOfRange;
    private long restarts;

    /**
     * @param window how many sequence numbers ahead of a missing packet are held before it is declared lost,
     *               0 to MAX_WINDOW; 0 delivers at once and treats every gap as loss
     */
    public RtpReorderBuffer(int window) {
        if (window < 0 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be 0.." + MAX_WINDOW + ", not " + window);
        }
        this.window = window;
        // More slots than the window, so that held numbers never share a slot with the expected one.
        this.held = new RtpPacket[Integer.highestOneBit(Math.max(1, window)) << 1];
        this.mask = held.length - 1;
    }

    /** Takes one packet; delivers to {@code out} whatever is now in order. */
    public void offer(RtpPacket packet, Output out) {
        received++;
        int seq = packet.sequenceNumber();
        if (!started) {
            restartAt(seq);
        }
        int d = (seq - expected) & 0xFFFF;
        if (d < 0x8000) {
            if (d > MAX_DROPOUT) {
                suspectRestart(packet, out);
                return;
            }
            dropProbation();
            if (d > window) {
                advanceTo((seq - window) & 0xFFFF, out);
                d = (seq - expected) & 0xFFFF;
            }
            if (d == 0) {
                deliver(packet, out);
                drain(out);
                return;
            }
            int slot = seq & mask;
            if (held[slot] != null) {
                duplicates++;
                return;
            }
            held[slot] = packet.copy();
            heldCount++;
            return;
        }
        int back = 0x10000 - d;
        if (back > HISTORY) {
            suspectRestart(packet, out);
            return;
        }
        if (isDelivered(seq)) {
            duplicates++;
        } else {
            late++;
        }
    }

    /**
     * Delivers everything held, in order, declaring the missing numbers in between lost; for an idle stream or
     * its end. Afterwards the buffer expects the number after the last packet it held.
     */
    public void flush(Output out) {
        while (heldCount > 0) {
            step(out);
        }
    }

    /** Number of packets currently held. */
    public int held() {
        return heldCount;
    }

    /** Packets offered. */
    public long received() {
        return received;
    }

    /** Packets delivered in order. */
    public long delivered() {
        return deliveredCount;
    }

    /** Sequence numbers declared lost (never delivered). */
    public long lost() {
        return lost;
    }

    /** Packets that arrived after their number was declared lost (dropped). */
    public long late() {
        return late;
    }

    /** Packets whose number was already delivered or held (dropped). */
    public long duplicates() {
        return duplicates;
    }

    /** Packets with a sequence number far out of range that no following packet confirmed (dropped). */
    public long outOfRange() {
        return outOfRange;
    }

    /** Sender restarts of the numbering that were followed. */
    public long restarts() {
        return restarts;
    }

    private void suspectRestart(RtpPacket packet, Output out) {
        int seq = packet.sequenceNumber();
        if (probation != null && seq == ((probation.sequenceNumber() + 1) & 0xFFFF)) {
            RtpPacket first = probation;
            probation = null;
            flush(out);
            restarts++;
            Arrays.fill(delivered, 0L);
            restartAt(first.sequenceNumber());
            gap = true;
            deliver(first, out);
            deliver(packet, out);
            return;
        }
        dropProbation();
        probation = packet.copy();
    }

    private void dropProbation() {
        if (probation != null) {
            probation = null;
            outOfRange++;
        }
    }

    private void restartAt(int seq) {
        started = true;
        expected = seq;
    }

    /** Moves the expected number forward to {@code target}, delivering held packets and losing the rest. */
    private void advanceTo(int target, Output out) {
        while (expected != target) {
            step(out);
        }
        drain(out);
    }

    /** Passes the expected number: delivers it if held, else declares it lost. */
    private void step(Output out) {
        int slot = expected & mask;
        RtpPacket p = held[slot];
        if (p != null) {
            held[slot] = null;
            heldCount--;
            deliver(p, out);
        } else {
            lost++;
            gap = true;
            mark(expected, false);
            expected = (expected + 1) & 0xFFFF;
        }
    }

    private void drain(Output out) {
        while (heldCount > 0) {
            int slot = expected & mask;
            RtpPacket p = held[slot];
            if (p == null) {
                return;
            }
            held[slot] = null;
            heldCount--;
            deliver(p, out);
        }
    }

    private void deliver(RtpPacket p, Output out) {
        int seq = p.sequenceNumber();
        mark(seq, true);
        expected = (seq + 1) & 0xFFFF;
        deliveredCount++;
        boolean discontinuity = gap;
        gap = false;
        out.onPacket(p, discontinuity);
    }

    private void mark(int seq, boolean value) {
        int i = seq & (BITS - 1);
        if (value) {
            delivered[i >> 6] |= 1L << i;
        } else {
            delivered[i >> 6] &= ~(1L << i);
        }
    }

    private boolean isDelivered(int seq) {
        int i = seq & (BITS - 1);
        return (delivered[i >> 6] & (1L << i)) != 0;
    }
}
