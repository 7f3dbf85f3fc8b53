package io.flux.media.mpegps;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

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
     * Cuts a program stream (as mpegpsmux writes it) into frames: a frame begins with the pack, system header or
     * map right before a video PES carrying a PTS, else with that PES. The timestamp is that PTS.
     */
    static List<Unit> framesOf(byte[] ps) {
        List<Integer> starts = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        int i = 0;
        int runStart = -1;
        while (i + 6 <= ps.length) {
            if (ps[i] != 0 || ps[i + 1] != 0 || ps[i + 2] != 1) {
                throw new IllegalStateException("not a well-formed program stream at " + i);
            }
            int id = ps[i + 3] & 0xFF;
            int len;
            if (id == 0xBA) {
                len = 14 + (ps[i + 13] & 7);
            } else if (id == 0xB9) {
                len = 4;
            } else {
                len = 6 + (((ps[i + 4] & 0xFF) << 8) | (ps[i + 5] & 0xFF));
            }
            if (id >= 0xE0 && id <= 0xEF && (ps[i + 7] & 0x80) != 0) {
                starts.add(runStart >= 0 ? runStart : i);
                stamps.add(pts(ps, i + 9));
                runStart = -1;
            } else if (id == 0xBA || id == 0xBB || id == 0xBC) {
                if (runStart < 0) {
                    runStart = i;
                }
            } else {
                runStart = -1;
            }
            i += len;
        }
        List<Unit> units = new ArrayList<>();
        for (int k = 0; k < starts.size(); k++) {
            int from = k == 0 ? 0 : starts.get(k);
            int to = k + 1 < starts.size() ? starts.get(k + 1) : ps.length;
            units.add(new Unit(ByteBuffer.wrap(ps, from, to - from).slice(), stamps.get(k)));
        }
        return units;
    }

    static long pts(byte[] b, int p) {
        return ((long) ((b[p] >> 1) & 0x07) << 30) | ((long) (b[p + 1] & 0xFF) << 22)
                | ((long) ((b[p + 2] & 0xFF) >> 1) << 15) | ((long) (b[p + 3] & 0xFF) << 7) | ((b[p + 4] & 0xFF) >> 1);
    }
}
