package io.flux.media.testing.gb28181;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One session's RTP sender state: where it goes, which frame is next and when. Its sending fields belong to
 * the {@link RtpPacer} lane that runs it; {@link #stop()} and the counters may be used from any thread.
 */
final class MediaStream {

    final PsMediaFile media;
    final long ssrc;
    final SimFaults faults;
    /** Destination of UDP datagrams, or null for TCP. */
    final InetSocketAddress udpTarget;
    /** The RFC 4571 connection, or null for UDP. */
    final SocketChannel tcp;
    private final Consumer<String> onEnd;

    final AtomicLong packetsSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    private volatile boolean stopped;

    // Lane-owned sending state.
    int frame;
    long loop;
    long startNanos;
    long dueNanos;
    int seq;
    final long timestampBase;
    /** Bytes of a TCP frame the socket did not take yet. */
    ByteBuffer pending;

    MediaStream(PsMediaFile media, long ssrc, SimFaults faults, InetSocketAddress udpTarget, SocketChannel tcp,
            Consumer<String> onEnd) {
        this.media = media;
        this.ssrc = ssrc;
        this.faults = faults;
        this.udpTarget = udpTarget;
        this.tcp = tcp;
        this.onEnd = onEnd;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.seq = r.nextInt(0x10000);
        this.timestampBase = r.nextLong(1L << 32);
    }

    /** RTP timestamp of the current frame (continuing across passes through the file). */
    long rtpTimestamp() {
        return (timestampBase + loop * media.loopTimestamp + media.frameTimestamp[frame]) & 0xFFFFFFFFL;
    }

    /** When the current frame is due, relative to the stream's start. */
    long frameOffsetNanos() {
        // 90 kHz to ns is x 100000/9: no overflow for centuries of looping
        return (loop * media.loopTimestamp + media.frameTimestamp[frame]) * 100_000L / 9;
    }

    /** Moves to the next frame, wrapping to the file's start. */
    void advance() {
        frame++;
        if (frame == media.frames()) {
            frame = 0;
            loop++;
        }
        dueNanos = startNanos + frameOffsetNanos();
    }

    /** The SSRC written into packets: the offered one, or a different one under the wrong-SSRC fault. */
    long wireSsrc() {
        return faults.wrongSsrc() ? (ssrc ^ 0x5A5A5A5AL) & 0xFFFFFFFFL : ssrc;
    }

    boolean stopped() {
        return stopped;
    }

    /** Stops sending; the lane drops the stream at its next turn. */
    void stop() {
        stopped = true;
    }

    /** Called by the lane when sending failed (TCP reset, socket closed): stops and tells the session why. */
    void end(String reason) {
        if (!stopped) {
            stopped = true;
            onEnd.accept(reason);
        }
    }
}
