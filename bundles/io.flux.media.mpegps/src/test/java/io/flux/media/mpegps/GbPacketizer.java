package io.flux.media.mpegps;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.testing.gb28181.PsMediaFile;

/**
 * Packetizes a program stream into RTP the GB28181 way: payload type 96, 90 kHz timestamps, each frame's bytes
 * split into payloads of at most 1400 bytes, the marker bit on a frame's last packet.
 */
final class GbPacketizer {

    static final int PAYLOAD_TYPE = 96;
    static final int MAX_PAYLOAD = 1400;

    /** One frame's worth of PS bytes and its RTP timestamp. */
    record Unit(ByteBuffer data, long timestamp) {
    }

    /** A packet and the index of the unit it belongs to. */
    record Packet(ByteBuffer bytes, int unit, int seq) {
    }

    private GbPacketizer() {
    }

    static List<Packet> packetize(List<Unit> units, long ssrc, int firstSeq) {
        List<Packet> out = new ArrayList<>();
        int seq = firstSeq;
        for (int u = 0; u < units.size(); u++) {
            ByteBuffer data = units.get(u).data();
            int n = data.remaining();
            for (int off = 0; off < n; off += MAX_PAYLOAD) {
                int len = Math.min(MAX_PAYLOAD, n - off);
                boolean last = off + len == n;
                int s = seq & 0xFFFF;
                out.add(new Packet(RtpPacket.encode(PAYLOAD_TYPE, last, s, units.get(u).timestamp(), ssrc,
                        data.slice(data.position() + off, len)), u, s));
                seq++;
            }
        }
        return out;
    }

    /**
     * Cuts a program stream (as mpegpsmux writes it) into frames with the device simulator's cutter: a frame begins
     * with the pack, system header or map right before a video PES carrying a PTS, else with that PES. The
     * timestamp is that PTS. The bytes stay exactly as muxed (the simulator's GB changes to the frames are not
     * applied), so the demuxer is checked against GStreamer's own output.
     */
    static List<Unit> framesOf(byte[] ps) {
        return PsMediaFile.framesOf(ps).stream()
                .map(f -> new Unit(ByteBuffer.wrap(ps, f.offset(), f.length()).slice(), f.pts())).toList();
    }
}
