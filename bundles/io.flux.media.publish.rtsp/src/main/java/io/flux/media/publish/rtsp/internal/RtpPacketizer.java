package io.flux.media.publish.rtsp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;

/**
 * Cuts the samples of one track into RTP packets (RFC 3550 fixed header, no CSRC or extension): H.264 per RFC 6184
 * (single NAL unit packets and FU-A, packetization-mode=1), H.265 per RFC 7798 (single NAL unit packets and FU),
 * G.711 as one or more packets per frame (RFC 3551). The marker bit is set on the last packet of a video access
 * unit. Timestamps are the sample PTS in the track's clock rate plus a per-track offset, modulo 2^32. Not
 * thread-safe: one sender thread owns it.
 */
final class RtpPacketizer {

    /** RTP payload per packet; keeps packets under a 1500-byte MTU should the server forward them over UDP. */
    static final int DEFAULT_MAX_PAYLOAD = 1400;
    static final int HEADER_SIZE = 12;

    private static final int H264_FU_A = 28;
    private static final int H265_FU = 49;

    private final Codec codec;
    private final int payloadType;
    private final int clockRate;
    private final int ssrc;
    private final long timestampOffset;
    private final int maxPayload;
    private int sequence;

    RtpPacketizer(Codec codec, int payloadType, int clockRate, int ssrc, int firstSequence, long timestampOffset,
            int maxPayload) {
        if (maxPayload < 16) {
            throw new IllegalArgumentException("max payload too small: " + maxPayload);
        }
        this.codec = codec;
        this.payloadType = payloadType;
        this.clockRate = clockRate;
        this.ssrc = ssrc;
        this.sequence = firstSequence & 0xFFFF;
        this.timestampOffset = timestampOffset;
        this.maxPayload = maxPayload;
    }

    Codec codec() {
        return codec;
    }

    int payloadType() {
        return payloadType;
    }

    int clockRate() {
        return clockRate;
    }

    /** The sequence number the next packet gets. */
    int nextSequence() {
        return sequence;
    }

    /** The RTP timestamp of a 90 kHz PTS in this track's clock. */
    long timestamp(long pts90k) {
        long inClock = clockRate == MediaSample.CLOCK_RATE ? pts90k : Math.floorDiv(pts90k * clockRate,
                (long) MediaSample.CLOCK_RATE);
        return (inClock + timestampOffset) & 0xFFFF_FFFFL;
    }

    /** The packets of one sample, in sending order; empty when it holds nothing worth sending. */
    List<byte[]> packetize(MediaSample sample) {
        return switch (codec) {
            case H264, H265 -> video(sample);
            case G711A, G711U -> g711(sample);
            default -> throw new IllegalStateException("no RTP packetization for " + codec);
        };
    }

    private List<byte[]> video(MediaSample sample) {
        long ts = timestamp(sample.pts());
        List<ByteBuffer> nals = NalUnits.splitAnnexB(sample.payload());
        // Access unit delimiters and filler data carry nothing over RTP (RFC 6184 §5.3, RFC 7798 §4.4.1): they are
        // skipped, and the marker goes on the last NAL unit that is sent.
        int lastSent = nals.size() - 1;
        while (lastSent >= 0 && droppedOverRtp(nals.get(lastSent))) {
            lastSent--;
        }
        List<byte[]> out = new ArrayList<>(nals.size() + 4);
        for (int i = 0; i <= lastSent; i++) {
            ByteBuffer nal = nals.get(i);
            if (droppedOverRtp(nal)) {
                continue;
            }
            boolean lastOfAccessUnit = i == lastSent;
            if (nal.remaining() <= maxPayload) {
                out.add(packet(ts, lastOfAccessUnit, nal, 0, 0));
            } else if (codec == Codec.H264) {
                fragmentH264(nal, ts, lastOfAccessUnit, out);
            } else {
                fragmentH265(nal, ts, lastOfAccessUnit, out);
            }
        }
        return out;
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
    private void fragmentH264(ByteBuffer nal, long ts, boolean lastOfAccessUnit, List<byte[]> out) {
        int p = nal.position();
        int header = nal.get(p) & 0xFF;
        byte indicator = (byte) ((header & 0xE0) | H264_FU_A);
        int type = header & 0x1F;
        int chunk = maxPayload - 2;
        int offset = p + 1;
        int end = nal.limit();
        while (offset < end) {
            int len = Math.min(chunk, end - offset);
            boolean start = offset == p + 1;
            boolean last = offset + len == end;
            byte fu = (byte) ((start ? 0x80 : 0) | (last ? 0x40 : 0) | type);
            out.add(packet(ts, last && lastOfAccessUnit, nal.slice(offset, len), ((indicator & 0xFF) << 8) | (fu & 0xFF), 2));
            offset += len;
        }
    }

    /** RFC 7798 §4.4.3: payload header (type 49, layer and TID of the NAL), FU header (S, E, type), NAL body. */
    private void fragmentH265(ByteBuffer nal, long ts, boolean lastOfAccessUnit, List<byte[]> out) {
        int p = nal.position();
        int h0 = nal.get(p) & 0xFF;
        int h1 = nal.get(p + 1) & 0xFF;
        int type = (h0 >> 1) & 0x3F;
        byte payloadHeader0 = (byte) ((h0 & 0x81) | (H265_FU << 1));
        byte payloadHeader1 = (byte) h1;
        int chunk = maxPayload - 3;
        int offset = p + 2;
        int end = nal.limit();
        while (offset < end) {
            int len = Math.min(chunk, end - offset);
            boolean start = offset == p + 2;
            boolean last = offset + len == end;
            byte fu = (byte) ((start ? 0x80 : 0) | (last ? 0x40 : 0) | type);
            out.add(packet(ts, last && lastOfAccessUnit, nal.slice(offset, len),
                    ((payloadHeader0 & 0xFF) << 16) | ((payloadHeader1 & 0xFF) << 8) | (fu & 0xFF), 3));
            offset += len;
        }
    }

    /** G.711 is one byte per sample and channel: a frame longer than a packet continues at a later timestamp. */
    private List<byte[]> g711(MediaSample sample) {
        ByteBuffer payload = sample.payload();
        long base = timestamp(sample.pts());
        List<byte[]> out = new ArrayList<>(1);
        int p = payload.position();
        while (p < payload.limit()) {
            int len = Math.min(maxPayload, payload.limit() - p);
            long ts = (base + (p - payload.position())) & 0xFFFF_FFFFL;
            out.add(packet(ts, false, payload.slice(p, len), 0, 0));
            p += len;
        }
        return out;
    }

    /**
     * One RTP packet: header, then {@code prefixLen} (0-3) bytes of {@code prefix} (big-endian: the FU headers,
     * packed so that no array is made per packet), then the body.
     */
    private byte[] packet(long ts, boolean marker, ByteBuffer body, int prefix, int prefixLen) {
        byte[] pkt = new byte[HEADER_SIZE + prefixLen + body.remaining()];
        pkt[0] = (byte) 0x80;
        pkt[1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        pkt[2] = (byte) (sequence >> 8);
        pkt[3] = (byte) sequence;
        pkt[4] = (byte) (ts >> 24);
        pkt[5] = (byte) (ts >> 16);
        pkt[6] = (byte) (ts >> 8);
        pkt[7] = (byte) ts;
        pkt[8] = (byte) (ssrc >> 24);
        pkt[9] = (byte) (ssrc >> 16);
        pkt[10] = (byte) (ssrc >> 8);
        pkt[11] = (byte) ssrc;
        for (int i = 0; i < prefixLen; i++) {
            pkt[HEADER_SIZE + i] = (byte) (prefix >> (8 * (prefixLen - 1 - i)));
        }
        body.get(body.position(), pkt, HEADER_SIZE + prefixLen, body.remaining());
        sequence = (sequence + 1) & 0xFFFF;
        return pkt;
    }
}
