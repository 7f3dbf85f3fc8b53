package io.flux.media.mpegps;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes MPEG-2 program streams the way GB28181 devices do, for tests: pack header per frame, system header and
 * program stream map before keyframes, video split into several PES, audio PES in between. Records where each
 * frame begins so that a packetizer can set the RTP marker on a frame's last packet.
 */
final class PsWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Integer> unitStarts = new ArrayList<>();
    private final List<Long> unitTimestamps = new ArrayList<>();

    /** Marks the start of an RTP unit (a frame) with its RTP timestamp. */
    PsWriter unit(long timestamp) {
        unitStarts.add(out.size());
        unitTimestamps.add(timestamp);
        return this;
    }

    /** MPEG-2 pack header with the given 33-bit SCR base and stuffing bytes (0-7). */
    PsWriter pack(long scr, int stuffing) {
        long s = scr & ((1L << 33) - 1);
        int muxRate = 0x3FFF;
        byte[] h = new byte[14 + stuffing];
        h[2] = 1;
        h[3] = (byte) 0xBA;
        h[4] = (byte) (0x44 | ((s >> 27) & 0x38) | ((s >> 28) & 0x03));
        h[5] = (byte) (s >> 20);
        h[6] = (byte) (((s >> 12) & 0xF8) | 0x04 | ((s >> 13) & 0x03));
        h[7] = (byte) (s >> 5);
        h[8] = (byte) (((s << 3) & 0xF8) | 0x04);
        h[9] = 0x01;
        h[10] = (byte) (muxRate >> 14);
        h[11] = (byte) (muxRate >> 6);
        h[12] = (byte) (((muxRate << 2) & 0xFC) | 0x03);
        h[13] = (byte) (0xF8 | stuffing);
        for (int i = 0; i < stuffing; i++) {
            h[14 + i] = (byte) 0xFF;
        }
        out.writeBytes(h);
        return this;
    }

    /** A system header announcing one video and one audio stream. */
    PsWriter systemHeader() {
        out.writeBytes(new byte[] {0, 0, 1, (byte) 0xBB, 0, 12, (byte) 0x80, 0x10, 0x01, 0x04, (byte) 0xE1,
            (byte) 0xFF, (byte) 0xE0, (byte) 0xE0, (byte) 0x80, (byte) 0xC0, (byte) 0xC0, 0x08});
        return this;
    }

    /** A program stream map with entries {stream_type, stream_id}, a descriptor on the first, CRC zero. */
    PsWriter psm(int[]... entries) {
        ByteArrayOutputStream map = new ByteArrayOutputStream();
        for (int i = 0; i < entries.length; i++) {
            map.write(entries[i][0]);
            map.write(entries[i][1]);
            byte[] descriptor = i == 0 ? new byte[] {0x0A, 0x04, 'c', 'h', 'i', 0} : new byte[0];
            map.write(descriptor.length >> 8);
            map.write(descriptor.length);
            map.writeBytes(descriptor);
        }
        byte[] info = {0x05, 0x02, 'G', 'B'};
        int length = 2 + 2 + info.length + 2 + map.size() + 4;
        out.writeBytes(new byte[] {0, 0, 1, (byte) 0xBC, (byte) (length >> 8), (byte) length, (byte) 0xE0,
            (byte) 0xFF, 0, (byte) info.length});
        out.writeBytes(info);
        out.write(map.size() >> 8);
        out.write(map.size());
        out.writeBytes(map.toByteArray());
        out.writeBytes(new byte[4]);
        return this;
    }

    /** One MPEG-2 PES packet; pts/dts -1 when absent. */
    PsWriter pes(int streamId, long pts, long dts, byte[] data, int off, int len) {
        return pes(streamId, pts, dts, data, off, len, false);
    }

    /** One MPEG-2 PES packet, with PES_packet_length 0 when {@code unbounded}. */
    PsWriter pes(int streamId, long pts, long dts, byte[] data, int off, int len, boolean unbounded) {
        int flags = pts < 0 ? 0 : dts < 0 ? 2 : 3;
        int hdl = flags == 0 ? 0 : flags == 2 ? 5 : 10;
        int length = 3 + hdl + len;
        if (!unbounded && length > 0xFFFF) {
            throw new IllegalArgumentException("PES too long: " + len);
        }
        out.writeBytes(new byte[] {0, 0, 1, (byte) streamId});
        out.write(unbounded ? 0 : length >> 8);
        out.write(unbounded ? 0 : length);
        out.write(0x80);
        out.write(flags << 6);
        out.write(hdl);
        if (flags >= 2) {
            writeTimestamp(flags == 3 ? 0x3 : 0x2, pts);
        }
        if (flags == 3) {
            writeTimestamp(0x1, dts);
        }
        out.write(data, off, len);
        return this;
    }

    /**
     * A video access unit as PES packets of at most {@code maxPayload} bytes; the PTS on the first only, or on
     * every one ({@code repeatPts}, as some cameras do).
     */
    PsWriter videoAccessUnit(int streamId, long pts, long dts, byte[] au, int maxPayload, boolean repeatPts) {
        for (int off = 0; off < au.length; off += maxPayload) {
            boolean first = off == 0;
            pes(streamId, first || repeatPts ? pts : -1, first || repeatPts ? dts : -1, au, off,
                    Math.min(maxPayload, au.length - off));
        }
        return this;
    }

    PsWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PsWriter end() {
        out.writeBytes(new byte[] {0, 0, 1, (byte) 0xB9});
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    int size() {
        return out.size();
    }

    /** The stream cut into RTP units at the marked frame starts. */
    List<GbPacketizer.Unit> units() {
        byte[] all = bytes();
        List<GbPacketizer.Unit> units = new ArrayList<>();
        for (int i = 0; i < unitStarts.size(); i++) {
            int from = unitStarts.get(i);
            int to = i + 1 < unitStarts.size() ? unitStarts.get(i + 1) : all.length;
            units.add(new GbPacketizer.Unit(ByteBuffer.wrap(all, from, to - from).slice(), unitTimestamps.get(i)));
        }
        return units;
    }

    private void writeTimestamp(int prefix, long ts) {
        long t = ts & ((1L << 33) - 1);
        out.write((int) ((prefix << 4) | ((t >> 29) & 0x0E) | 1));
        out.write((int) (t >> 22));
        out.write((int) (((t >> 14) & 0xFE) | 1));
        out.write((int) (t >> 7));
        out.write((int) (((t << 1) & 0xFE) | 1));
    }
}
