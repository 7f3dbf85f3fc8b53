package io.flux.media.mpegps;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The receive side of one GB28181 media session: RTP packets (UDP datagrams, or an RFC 4571 TCP byte stream) are
 * parsed, checked against the session's SSRC (and payload type), put back in order, and their payloads
 * demultiplexed as MPEG-PS into samples for a {@link SampleListener}. A sequence gap tells the demuxer to drop
 * what the lost packets belonged to, except a frame the marker bit said was complete. Optionally the RTP marker bit ends a video frame at once instead of at the
 * next frame's first packet (one frame less latency, for senders that set it only on a frame's last packet).
 * <p>
 * Thread-safe: the input methods are meant for one receiving thread, {@link #stats()} and the counter getters may
 * be called from any.
 * The listener runs on the receiving thread while the pipeline's lock is held, so it must not block. Buffers
 * handed in may be reused once a call returns.
 */
public final class GbMediaPipeline {

    /** Default reorder window in packets. */
    public static final int DEFAULT_REORDER_WINDOW = 64;
    /** Default and largest RFC 4571 frame. */
    public static final int DEFAULT_MAX_TCP_FRAME = 0xFFFF;

    private final SsrcFilter ssrc;
    private final int payloadType;
    private final boolean flushOnMarker;
    private final RtpReorderBuffer reorder;
    private final Rfc4571Framer framer;
    private final PsDemuxer demuxer;
    private final RtpReorderBuffer.Output toDemuxer = this::deliver;
    private final Consumer<ByteBuffer> tcpFrames = this::packet;

    private long datagrams;
    private long datagramBytes;
    private long invalidPackets;
    private long rtcpPackets;
    private long rtpPackets;
    private long rtpBytes;
    private long wrongPayloadType;
    /** Whether the last packet passed to the demuxer ended a frame. */
    private boolean lastMarker;

    private GbMediaPipeline(Builder b, SampleListener listener) {
        this.ssrc = b.ssrc < 0 ? SsrcFilter.learning() : SsrcFilter.expecting(b.ssrc);
        this.payloadType = b.payloadType;
        this.flushOnMarker = b.flushOnMarker;
        this.reorder = new RtpReorderBuffer(b.reorderWindow);
        this.framer = new Rfc4571Framer(b.maxTcpFrame, true);
        this.demuxer = new PsDemuxer(b.demux, Objects.requireNonNull(listener, "listener"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Pipeline settings. */
    public static final class Builder {
        private long ssrc = -1;
        private int payloadType = -1;
        private int reorderWindow = DEFAULT_REORDER_WINDOW;
        private int maxTcpFrame = DEFAULT_MAX_TCP_FRAME;
        private boolean flushOnMarker;
        private PsDemuxer.Options demux = PsDemuxer.Options.DEFAULTS;

        private Builder() {
        }

        /** The SSRC the session expects (unsigned 32-bit); by default the first packet's SSRC is locked onto. */
        public Builder ssrc(long expected) {
            if (expected < 0 || expected > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("SSRC must be an unsigned 32-bit value, not " + expected);
            }
            this.ssrc = expected;
            return this;
        }

        /** Accept only this RTP payload type (0-127); by default any. */
        public Builder payloadType(int pt) {
            if (pt < 0 || pt > 127) {
                throw new IllegalArgumentException("payload type must be 0-127, not " + pt);
            }
            this.payloadType = pt;
            return this;
        }

        /** Packets held while waiting for a missing one, 0 to {@link RtpReorderBuffer#MAX_WINDOW}. */
        public Builder reorderWindow(int packets) {
            if (packets < 0 || packets > RtpReorderBuffer.MAX_WINDOW) {
                throw new IllegalArgumentException("reorder window must be 0-" + RtpReorderBuffer.MAX_WINDOW);
            }
            this.reorderWindow = packets;
            return this;
        }

        /** Largest RFC 4571 frame accepted over TCP (12-65535); GB28181 senders stay under 1500. */
        public Builder maxTcpFrame(int bytes) {
            if (bytes < RtpPacket.HEADER_LENGTH || bytes > 0xFFFF) {
                throw new IllegalArgumentException("max TCP frame must be 12-65535 bytes");
            }
            this.maxTcpFrame = bytes;
            return this;
        }

        /** End a video frame at a packet with the marker bit (see {@link PsDemuxer#endOfFrame()}). */
        public Builder flushOnMarker(boolean flush) {
            this.flushOnMarker = flush;
            return this;
        }

        public Builder demux(PsDemuxer.Options options) {
            this.demux = Objects.requireNonNull(options, "options");
            return this;
        }

        public GbMediaPipeline build(SampleListener listener) {
            return new GbMediaPipeline(this, listener);
        }
    }

    /** One UDP datagram (position to limit). */
    public synchronized void onDatagram(ByteBuffer datagram) {
        datagramBytes += datagram.remaining();
        packet(datagram);
    }

    /**
     * Bytes of an RFC 4571 TCP stream, in chunks of any size. After a framing error the rest of the stream is
     * ignored and {@link #tcpFailed()} is true: close the connection.
     */
    public synchronized void onTcpData(ByteBuffer chunk) {
        datagramBytes += chunk.remaining();
        framer.feed(chunk, tcpFrames);
    }

    /** True once the TCP framing failed; {@link PipelineStats#tcpFailure()} says why. */
    public synchronized boolean tcpFailed() {
        return framer.failed();
    }

    /**
     * Delivers the packets held for reordering (for a stream gone idle), declaring missing ones lost. The access
     * unit in progress stays open.
     */
    public synchronized void drain() {
        reorder.flush(toDemuxer);
    }

    /** End of the session: delivers held packets and emits the access unit in progress. */
    public synchronized void finish() {
        reorder.flush(toDemuxer);
        demuxer.flush();
    }

    /**
     * {@link PipelineStats#rtpPackets()} now, without building the stats: a receiver compares it after every read
     * to learn whether the read brought the session's packets, as the pipeline judged them.
     */
    public synchronized long rtpPackets() {
        return rtpPackets;
    }

    /** {@link PipelineStats#wrongSsrcPackets()} now, without building the stats. */
    public synchronized long wrongSsrcPackets() {
        return ssrc.rejected();
    }

    /** {@link PipelineStats#lastWrongSsrc()} now, without building the stats. */
    public synchronized long lastWrongSsrc() {
        return ssrc.lastRejected();
    }

    /** All counters; allocates, so not meant for every packet (see {@link #rtpPackets()}). */
    public synchronized PipelineStats stats() {
        return new PipelineStats(datagrams, datagramBytes, invalidPackets, rtcpPackets, rtpPackets, rtpBytes,
                ssrc.rejected(), ssrc.lastRejected(), wrongPayloadType, reorder.lost(), reorder.late(),
                reorder.duplicates(), reorder.outOfRange(), reorder.restarts(), framer.failure(), demuxer.stats());
    }

    private void packet(ByteBuffer bytes) {
        datagrams++;
        switch (RtpPacket.parse(bytes)) {
            case RtpPacket p -> rtp(p);
            case RtpError e -> {
                if (e == RtpError.RTCP) {
                    rtcpPackets++;
                } else {
                    invalidPackets++;
                }
            }
        }
    }

    private void rtp(RtpPacket p) {
        if (!ssrc.accept(p)) {
            return;
        }
        if (payloadType >= 0 && p.payloadType() != payloadType) {
            wrongPayloadType++;
            return;
        }
        rtpPackets++;
        rtpBytes += p.length();
        reorder.offer(p, toDemuxer);
    }

    private void deliver(RtpPacket p, boolean discontinuity) {
        if (discontinuity) {
            if (lastMarker) {
                // The frame before the gap was complete: keep it rather than drop it with the damaged one.
                demuxer.endOfFrame();
            }
            demuxer.discontinuity();
        }
        demuxer.feed(p.payload());
        lastMarker = p.marker();
        if (flushOnMarker && lastMarker) {
            demuxer.endOfFrame();
        }
    }
}
