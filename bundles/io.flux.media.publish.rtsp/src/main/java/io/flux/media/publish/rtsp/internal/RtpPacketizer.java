package io.flux.media.publish.rtsp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;

/**
 * Cuts the samples of one track into interleaved RTP packets (RFC 3550 fixed header, no CSRC or extension): H.264
 * per RFC 6184 (single NAL unit packets and FU-A, packetization-mode=1), H.265 per RFC 7798 (single NAL unit packets
 * and FU), G.711 as one or more packets per frame (RFC 3551). The marker bit is set on the last packet of a video
 * access unit. Timestamps are the sample PTS in the track's clock rate plus a per-track offset, modulo 2^32.
 * <p>
 * Nothing is copied or allocated per packet: the interleave prefix, the RTP header and the FU headers go into one
 * scratch array that is reused for every packet, and the payload is handed over as a view of the sample. Not
 * thread-safe: one sender thread owns it.
 */
final class RtpPacketizer {

    /**
     * Receives each packet as {@code header[0, headerLength)} (the 4-byte interleave prefix, the 12-byte RTP header,
     * then the FU headers if any) followed by the bytes of {@code body} from its position to its limit. Both are
     * valid only during the call: the header array is overwritten by the next packet and the body is a view of the
     * sample's payload. The sink may move the body's position.
     */
    @FunctionalInterface
    interface PacketSink {
        void packet(byte[] header, int headerLength, ByteBuffer body) throws IOException;
    }

    /** RTP payload per packet; keeps packets under a 1500-byte MTU should the server forward them over UDP. */
    static final int DEFAULT_MAX_PAYLOAD = 1400;
    /** {@code $}, channel, 16-bit length (RFC 2326 §10.12). */
    static final int INTERLEAVE_PREFIX_SIZE = 4;
    static final int HEADER_SIZE = 12;
    /** The longest FU header (H.265: 2-byte payload header and 1-byte FU header). */
    private static final int MAX_FU_HEADER_SIZE = 3;

    private static final int H264_FU_A = 28;
    private static final int H265_FU = 49;

    private final Codec codec;
    private final int payloadType;
    private final int clockRate;
    private final int ssrc;
    private final long timestampOffset;
    private final int maxPayload;
    private final byte[] header = new byte[INTERLEAVE_PREFIX_SIZE + HEADER_SIZE + MAX_FU_HEADER_SIZE];
    private int sequence;

    RtpPacketizer(Codec codec, int payloadType, int clockRate, int ssrc, int firstSequence, long timestampOffset,
            int maxPayload) {
        // The interleaved length field is 16 bits wide.
        if (maxPayload < 16 || HEADER_SIZE + maxPayload > 0xFFFF) {
            throw new IllegalArgumentException("max payload out of range: " + maxPayload);
        }
        this.codec = codec;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.ssrc = ssrc;
        this.sequence = firstSequence & 0xFFFF;
        this.timestampOffset = timestampOffset;
        this.maxPayload = maxPayload;
        header[0] = '$';
    }

    Codec codec() {
        return codec;
    }

    /** The RTP timestamp of a 90 kHz PTS in this track's clock. */
    long timestamp(long pts90k) {
        long inClock = clockRate == MediaSample.CLOCK_RATE ? pts90k : Math.floorDiv(pts90k * clockRate,
                (long) MediaSample.CLOCK_RATE);
        return (inClock + timestampOffset) & 0xFFFF_FFFFL;
    }

    /**
     * Hands the packets of one sample of this track's codec (its 90 kHz PTS and payload; Annex B for video) to
     * {@code sink} in sending order, framed for interleaved {@code channel}; none when the sample holds nothing worth
     * sending. Packet bodies are views of {@code payload}, array-backed when it is.
     */
    void packetize(long pts90k, ByteBuffer payload, int channel, PacketSink sink) throws IOException {
        header[1] = (byte) channel;
        switch (codec) {
            case H264, H265 -> video(pts90k, payload, sink);
            case G711A, G711U -> g711(pts90k, payload, sink);
            default -> throw new IllegalStateException("no RTP packetization for " + codec);
        }
    }

    private void video(long pts90k, ByteBuffer payload, PacketSink sink) throws IOException {
        long ts = timestamp(pts90k);
        List<ByteBuffer> nals = NalUnits.splitAnnexB(payload);
        // Access unit delimiters and filler data carry nothing over RTP (RFC 6184 §5.3, RFC 7798 §4.4.1): they are
        // skipped, and the marker goes on the last NAL unit that is sent.
        int lastSent = nals.size() - 1;
        while (lastSent >= 0 && droppedOverRtp(nals.get(lastSent))) {
            lastSent--;
        }
        for (int i = 0; i <= lastSent; i++) {
            ByteBuffer nal = nals.get(i);
            if (droppedOverRtp(nal)) {
                continue;
            }
            boolean lastOfAccessUnit = i == lastSent;
            if (nal.remaining() <= maxPayload) {
                emit(sink, ts, lastOfAccessUnit, nal, 0, 0);
            } else if (codec == Codec.H264) {
                fragmentH264(nal, ts, lastOfAccessUnit, sink);
            } else {
                fragmentH265(nal, ts, lastOfAccessUnit, sink);
            }
        }
    }

    private boolean droppedOverRtp(ByteBuffer nal) {
        if (codec == Codec.H264) {
            int type = H264.nalType(nal);
            return type == H264.NAL_AUD || type == H264.NAL_FILLER;
        }
        if (nal.remaining() < 2) {
            return true;
        }
        int type = H265.nalType(nal);
        return type == H265.NAL_AUD || type == H265.NAL_FD;
    }

    /** RFC 6184 §5.8: FU indicator (F, NRI, type 28), FU header (S, E, R=0, NAL type), then the NAL body. */
    private void fragmentH264(ByteBuffer nal, long ts, boolean lastOfAccessUnit, PacketSink sink) throws IOException {
        int p = nal.position();
        int nalHeader = nal.get(p) & 0xFF;
        int indicator = (nalHeader & 0xE0) | H264_FU_A;
        int type = nalHeader & 0x1F;
        int chunk = maxPayload - 2;
        int offset = p + 1;
        int end = nal.limit();
        ByteBuffer view = nal.duplicate();
        while (offset < end) {
            int len = Math.min(chunk, end - offset);
            boolean start = offset == p + 1;
            boolean last = offset + len == end;
            int fu = (start ? 0x80 : 0) | (last ? 0x40 : 0) | type;
            emit(sink, ts, last && lastOfAccessUnit, window(view, offset, len), (indicator << 8) | fu, 2);
            offset += len;
        }
    }

    /** RFC 7798 §4.4.3: payload header (type 49, layer and TID of the NAL), FU header (S, E, type), NAL body. */
    private void fragmentH265(ByteBuffer nal, long ts, boolean lastOfAccessUnit, PacketSink sink) throws IOException {
        int p = nal.position();
        int h0 = nal.get(p) & 0xFF;
        int h1 = nal.get(p + 1) & 0xFF;
        int type = (h0 >> 1) & 0x3F;
        int payloadHeader = (((h0 & 0x81) | (H265_FU << 1)) << 8) | h1;
        int chunk = maxPayload - 3;
        int offset = p + 2;
        int end = nal.limit();
        ByteBuffer view = nal.duplicate();
        while (offset < end) {
            int len = Math.min(chunk, end - offset);
            boolean start = offset == p + 2;
            boolean last = offset + len == end;
            int fu = (start ? 0x80 : 0) | (last ? 0x40 : 0) | type;
            emit(sink, ts, last && lastOfAccessUnit, window(view, offset, len), (payloadHeader << 8) | fu, 3);
            offset += len;
        }
    }

    /** G.711 is one byte per sample and channel: a frame longer than a packet continues at a later timestamp. */
    private void g711(long pts90k, ByteBuffer payload, PacketSink sink) throws IOException {
        long base = timestamp(pts90k);
        ByteBuffer view = payload.duplicate();
        int p = payload.position();
        while (p < payload.limit()) {
            int len = Math.min(maxPayload, payload.limit() - p);
            long ts = (base + (p - payload.position())) & 0xFFFF_FFFFL;
            emit(sink, ts, false, window(view, p, len), 0, 0);
            p += len;
        }
    }

    /** Points {@code view} at {@code [offset, offset + len)}; offsets only grow, so the limit goes first. */
    private static ByteBuffer window(ByteBuffer view, int offset, int len) {
        view.limit(offset + len);
        view.position(offset);
        return view;
    }

    /**
     * One packet: interleave prefix, RTP header and {@code fuLength} (0-3) bytes of {@code fu} (big-endian: the FU
     * headers, packed so that nothing is allocated per packet) into the scratch header, then the body to the sink.
     */
    private void emit(PacketSink sink, long ts, boolean marker, ByteBuffer body, int fu, int fuLength)
            throws IOException {
        int rtpLength = HEADER_SIZE + fuLength + body.remaining();
        byte[] h = header;
        h[2] = (byte) (rtpLength >> 8);
        h[3] = (byte) rtpLength;
        h[4] = (byte) 0x80;
        h[5] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        h[6] = (byte) (sequence >> 8);
        h[7] = (byte) sequence;
        h[8] = (byte) (ts >> 24);
        h[9] = (byte) (ts >> 16);
        h[10] = (byte) (ts >> 8);
        h[11] = (byte) ts;
        h[12] = (byte) (ssrc >> 24);
        h[13] = (byte) (ssrc >> 16);
        h[14] = (byte) (ssrc >> 8);
        h[15] = (byte) ssrc;
        int rtpStart = INTERLEAVE_PREFIX_SIZE + HEADER_SIZE;
        for (int i = 0; i < fuLength; i++) {
            h[rtpStart + i] = (byte) (fu >> (8 * (fuLength - 1 - i)));
        }
        sequence = (sequence + 1) & 0xFFFF;
        sink.packet(h, rtpStart + fuLength, body);
    }
}
