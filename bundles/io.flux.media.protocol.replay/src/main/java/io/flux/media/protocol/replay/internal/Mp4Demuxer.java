package io.flux.media.protocol.replay.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.codec.CodecException;

/**
 * Reads the sample tables of a progressive (non-fragmented) MP4/MOV file: per track the sample entry and its
 * decoder configuration box, and every sample's file offset, size, decoding time, composition offset and sync
 * flag. Works on a buffer holding the whole file; never reads sample data. Corrupt or truncated input gives
 * {@link CodecException}.
 */
final class Mp4Demuxer {

    /** Upper bound on samples per track, so a corrupt count cannot exhaust memory. */
    static final int MAX_SAMPLES = 20_000_000;

    /** One track's sample table; times in the track's timescale. */
    record Track(int id, String handler, String format, int timescale, ByteBuffer config, int width, int height,
            int channels, int sampleRate, long[] offsets, int[] sizes, long[] dts, int[] ctsOffsets, boolean[] sync,
            long editMediaTime, long emptyEditTicks, long duration) {

        int sampleCount() {
            return sizes.length;
        }
    }

    /** The movie's tracks and its timescale (which empty edits are expressed in). */
    record Movie(int timescale, List<Track> tracks) {
    }

    private Mp4Demuxer() {
    }

    static Movie parse(ByteBuffer file) throws CodecException {
        try {
            return parseMovie(file.slice());
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            throw new CodecException("corrupt MP4: a box points outside its parent", e);
        }
    }

    private static Movie parseMovie(ByteBuffer buf) throws CodecException {
        Box moov = null;
        boolean fragmented = false;
        int p = 0;
        int limit = buf.limit();
        while (limit - p >= 8) {
            Box b;
            try {
                b = box(buf, p, limit);
            } catch (CodecException e) {
                if (moov != null) {
                    break; // a truncated 'mdat' after the movie box: samples are checked one by one below
                }
                throw e;
            }
            if (b.is("moov")) {
                moov = b;
            } else if (b.is("moof")) {
                fragmented = true;
            }
            p = b.end;
        }
        if (moov == null) {
            throw new CodecException("no 'moov' box: not an MP4 file, or truncated");
        }
        int movieTimescale = 0;
        List<Track> tracks = new ArrayList<>();
        for (Box b : children(buf, moov.bodyStart, moov.end)) {
            if (b.is("mvhd")) {
                int version = buf.get(b.bodyStart) & 0xFF;
                movieTimescale = u32i(buf, b.bodyStart + (version == 1 ? 20 : 12), b.end);
            } else if (b.is("trak")) {
                Track t = track(buf, b);
                if (t != null) {
                    tracks.add(t);
                }
            } else if (b.is("mvex")) {
                fragmented = true;
            }
        }
        if (fragmented && tracks.stream().allMatch(t -> t.sampleCount() == 0)) {
            throw new CodecException("fragmented MP4 is not supported; remux it with 'ffmpeg -i in.mp4 -c copy out.mp4'");
        }
        return new Movie(movieTimescale, tracks);
    }

    private static Track track(ByteBuffer buf, Box trak) throws CodecException {
        Box mdia = find(buf, trak, "mdia");
        Box tkhd = find(buf, trak, "tkhd");
        if (mdia == null || tkhd == null) {
            throw new CodecException("track without 'mdia' or 'tkhd'");
        }
        int tkhdVersion = buf.get(tkhd.bodyStart) & 0xFF;
        int trackId = u32i(buf, tkhd.bodyStart + (tkhdVersion == 1 ? 20 : 12), tkhd.end);
        Box mdhd = require(buf, mdia, "mdhd");
        int version = buf.get(mdhd.bodyStart) & 0xFF;
        int timescale = u32i(buf, mdhd.bodyStart + (version == 1 ? 20 : 12), mdhd.end);
        if (timescale <= 0) {
            throw new CodecException("track " + trackId + " has timescale " + timescale);
        }
        Box hdlr = require(buf, mdia, "hdlr");
        String handler = fourcc(buf, hdlr.bodyStart + 8, hdlr.end);
        Box minf = require(buf, mdia, "minf");
        Box stbl = require(buf, minf, "stbl");

        long editMediaTime = 0;
        long emptyEdit = 0;
        Box edts = find(buf, trak, "edts");
        Box elst = edts == null ? null : find(buf, edts, "elst");
        if (elst != null) {
            int ev = buf.get(elst.bodyStart) & 0xFF;
            int count = u32i(buf, elst.bodyStart + 4, elst.end);
            int entrySize = ev == 1 ? 20 : 12;
            checkTable(elst, elst.bodyStart + 8, count, entrySize);
            for (int i = 0; i < count; i++) {
                int p = elst.bodyStart + 8 + i * entrySize;
                long duration = ev == 1 ? buf.getLong(p) : u32(buf, p, elst.end);
                long mediaTime = ev == 1 ? buf.getLong(p + 8) : buf.getInt(p + 4);
                if (mediaTime == -1) {
                    emptyEdit += duration;
                } else {
                    editMediaTime = Math.max(0, mediaTime);
                    break;
                }
            }
        }

        // Sample description: only the first entry is used.
        Box stsd = require(buf, stbl, "stsd");
        if (u32(buf, stsd.bodyStart + 4, stsd.end) < 1) {
            throw new CodecException("empty sample description");
        }
        Box entry = box(buf, stsd.bodyStart + 8, stsd.end);
        String format = entry.type;
        ByteBuffer config = null;
        int width = 0;
        int height = 0;
        int channels = 0;
        int sampleRate = 0;
        if (handler.equals("vide")) {
            int childStart = entry.bodyStart + 78;
            if (childStart > entry.end) {
                throw new CodecException("visual sample entry truncated");
            }
            width = u16(buf, entry.bodyStart + 24, entry.end);
            height = u16(buf, entry.bodyStart + 26, entry.end);
            for (Box c : children(buf, childStart, entry.end)) {
                if (c.is("avcC") || c.is("hvcC")) {
                    config = buf.slice(c.bodyStart, c.end - c.bodyStart);
                }
            }
        } else if (handler.equals("soun")) {
            int soundVersion = u16(buf, entry.bodyStart + 8, entry.end);
            channels = u16(buf, entry.bodyStart + 16, entry.end);
            sampleRate = u16(buf, entry.bodyStart + 24, entry.end);
            int childStart = entry.bodyStart + 28 + (soundVersion == 1 ? 16 : soundVersion == 2 ? 36 : 0);
            if (childStart <= entry.end) {
                for (Box c : children(buf, childStart, entry.end)) {
                    if (c.is("esds")) {
                        config = esdsDecoderSpecificInfo(buf, c);
                    } else if (c.is("wave")) {
                        // QuickTime wraps esds in 'wave'.
                        Box esds = find(buf, c, "esds");
                        if (esds != null) {
                            config = esdsDecoderSpecificInfo(buf, esds);
                        }
                    }
                }
            }
        } else {
            return null;
        }

        // Sample sizes.
        int[] sizes;
        Box stsz = find(buf, stbl, "stsz");
        Box stz2 = stsz == null ? find(buf, stbl, "stz2") : null;
        if (stsz != null) {
            int fixed = u32i(buf, stsz.bodyStart + 4, stsz.end);
            int count = sampleCount(u32(buf, stsz.bodyStart + 8, stsz.end));
            sizes = new int[count];
            if (fixed != 0) {
                java.util.Arrays.fill(sizes, fixed);
            } else {
                checkTable(stsz, stsz.bodyStart + 12, count, 4);
                for (int i = 0; i < count; i++) {
                    sizes[i] = u32i(buf, stsz.bodyStart + 12 + 4 * i, stsz.end);
                }
            }
        } else if (stz2 != null) {
            int field = buf.get(stz2.bodyStart + 7) & 0xFF;
            int count = sampleCount(u32(buf, stz2.bodyStart + 8, stz2.end));
            if (field != 4 && field != 8 && field != 16) {
                throw new CodecException("invalid stz2 field size " + field);
            }
            if ((long) count * field / 8 > stz2.end - stz2.bodyStart - 12) {
                throw new CodecException("stz2 table truncated");
            }
            sizes = new int[count];
            int p = stz2.bodyStart + 12;
            for (int i = 0; i < count; i++) {
                sizes[i] = switch (field) {
                    case 4 -> ((buf.get(p + i / 2) & 0xFF) >> (i % 2 == 0 ? 4 : 0)) & 0xF;
                    case 8 -> buf.get(p + i) & 0xFF;
                    default -> buf.getShort(p + 2 * i) & 0xFFFF;
                };
            }
        } else {
            throw new CodecException("no sample size table");
        }
        int n = sizes.length;

        // Decoding times.
        long[] dts = new long[n];
        Box stts = require(buf, stbl, "stts");
        int sttsCount = u32i(buf, stts.bodyStart + 4, stts.end);
        checkTable(stts, stts.bodyStart + 8, sttsCount, 8);
        int s = 0;
        long t = 0;
        long lastDelta = 0;
        for (int i = 0; i < sttsCount && s < n; i++) {
            long count = u32(buf, stts.bodyStart + 8 + 8 * i, stts.end);
            long delta = u32(buf, stts.bodyStart + 12 + 8 * i, stts.end);
            for (long k = 0; k < count && s < n; k++) {
                dts[s++] = t;
                t += delta;
            }
            lastDelta = delta;
        }
        if (s < n) {
            // Tables shorter than the sample count: continue with the last delta rather than fail.
            for (; s < n; s++) {
                dts[s] = t;
                t += lastDelta;
            }
        }
        long duration = t;

        // Composition offsets.
        int[] cts = new int[n];
        Box ctts = find(buf, stbl, "ctts");
        if (ctts != null) {
            int count = u32i(buf, ctts.bodyStart + 4, ctts.end);
            checkTable(ctts, ctts.bodyStart + 8, count, 8);
            s = 0;
            for (int i = 0; i < count && s < n; i++) {
                long c = u32(buf, ctts.bodyStart + 8 + 8 * i, ctts.end);
                int offset = buf.getInt(ctts.bodyStart + 12 + 8 * i);
                for (long k = 0; k < c && s < n; k++) {
                    cts[s++] = offset;
                }
            }
        }

        // Sync samples; no table means every sample is a sync sample.
        boolean[] sync = null;
        Box stss = find(buf, stbl, "stss");
        if (stss != null) {
            sync = new boolean[n];
            int count = u32i(buf, stss.bodyStart + 4, stss.end);
            checkTable(stss, stss.bodyStart + 8, count, 4);
            for (int i = 0; i < count; i++) {
                long number = u32(buf, stss.bodyStart + 8 + 4 * i, stss.end);
                if (number >= 1 && number <= n) {
                    sync[(int) number - 1] = true;
                }
            }
        }

        // Chunk offsets and sample-to-chunk mapping give each sample's offset.
        long[] chunkOffsets;
        Box stco = find(buf, stbl, "stco");
        Box co64 = stco == null ? find(buf, stbl, "co64") : null;
        if (stco != null) {
            int count = u32i(buf, stco.bodyStart + 4, stco.end);
            checkTable(stco, stco.bodyStart + 8, count, 4);
            chunkOffsets = new long[count];
            for (int i = 0; i < count; i++) {
                chunkOffsets[i] = u32(buf, stco.bodyStart + 8 + 4 * i, stco.end);
            }
        } else if (co64 != null) {
            int count = u32i(buf, co64.bodyStart + 4, co64.end);
            checkTable(co64, co64.bodyStart + 8, count, 8);
            chunkOffsets = new long[count];
            for (int i = 0; i < count; i++) {
                chunkOffsets[i] = buf.getLong(co64.bodyStart + 8 + 8 * i);
            }
        } else {
            throw new CodecException("no chunk offset table");
        }
        Box stsc = require(buf, stbl, "stsc");
        int stscCount = u32i(buf, stsc.bodyStart + 4, stsc.end);
        checkTable(stsc, stsc.bodyStart + 8, stscCount, 12);
        long[] offsets = new long[n];
        s = 0;
        for (int i = 0; i < stscCount && s < n; i++) {
            long firstChunk = u32(buf, stsc.bodyStart + 8 + 12 * i, stsc.end);
            long perChunk = u32(buf, stsc.bodyStart + 12 + 12 * i, stsc.end);
            long nextFirst = i + 1 < stscCount ? u32(buf, stsc.bodyStart + 20 + 12 * i, stsc.end)
                    : chunkOffsets.length + 1L;
            if (firstChunk < 1 || nextFirst < firstChunk || perChunk == 0) {
                throw new CodecException("invalid sample-to-chunk entry " + i);
            }
            for (long chunk = firstChunk; chunk < nextFirst && s < n; chunk++) {
                if (chunk > chunkOffsets.length) {
                    throw new CodecException("sample-to-chunk refers to missing chunk " + chunk);
                }
                long offset = chunkOffsets[(int) chunk - 1];
                for (long k = 0; k < perChunk && s < n; k++) {
                    offsets[s] = offset;
                    offset += sizes[s];
                    s++;
                }
            }
        }
        if (s < n) {
            throw new CodecException("sample-to-chunk table covers " + s + " of " + n + " samples");
        }
        for (int i = 0; i < n; i++) {
            if (offsets[i] < 0 || offsets[i] + sizes[i] > buf.limit()) {
                throw new CodecException("sample " + (i + 1) + " of track " + trackId
                        + " lies outside the file (truncated?)");
            }
        }
        return new Track(trackId, handler, format, timescale, config, width, height, channels, sampleRate, offsets,
                sizes, dts, cts, sync, editMediaTime, emptyEdit, duration);
    }

    /** The AudioSpecificConfig inside an esds box: ES_Descriptor > DecoderConfigDescriptor > DecSpecificInfo. */
    static ByteBuffer esdsDecoderSpecificInfo(ByteBuffer buf, Box esds) throws CodecException {
        int p = esds.bodyStart + 4;
        int end = esds.end;
        while (p < end) {
            int tag = buf.get(p++) & 0xFF;
            int len = 0;
            for (int i = 0; i < 4; i++) {
                if (p >= end) {
                    throw new CodecException("esds truncated");
                }
                int b = buf.get(p++) & 0xFF;
                len = (len << 7) | (b & 0x7F);
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            switch (tag) {
                case 0x03 -> {
                    if (p + 3 > end) {
                        throw new CodecException("esds truncated");
                    }
                    int flags = buf.get(p + 2) & 0xFF;
                    p += 3;
                    if ((flags & 0x80) != 0) {
                        p += 2;
                    }
                    if ((flags & 0x40) != 0) {
                        if (p >= end) {
                            throw new CodecException("esds truncated");
                        }
                        p += 1 + (buf.get(p) & 0xFF);
                    }
                    if ((flags & 0x20) != 0) {
                        p += 2;
                    }
                }
                case 0x04 -> p += 13;
                case 0x05 -> {
                    if (len > end - p) {
                        throw new CodecException("esds decoder specific info truncated");
                    }
                    return buf.slice(p, len);
                }
                default -> p += len;
            }
        }
        throw new CodecException("esds without decoder specific info");
    }

    /** A box: its type and absolute body start and end. */
    record Box(String type, int bodyStart, int end) {

        boolean is(String fourcc) {
            return type.equals(fourcc);
        }
    }

    static Box box(ByteBuffer buf, int start, int limit) throws CodecException {
        if (limit - start < 8) {
            throw new CodecException("box header truncated at offset " + start);
        }
        long size = u32(buf, start, limit);
        String type = fourcc(buf, start + 4, limit);
        int header = 8;
        if (size == 1) {
            if (limit - start < 16) {
                throw new CodecException("large box header truncated at offset " + start);
            }
            size = buf.getLong(start + 8);
            header = 16;
        } else if (size == 0) {
            size = limit - start;
        }
        if (size < header || size > limit - start) {
            throw new CodecException("box '" + type + "' at offset " + start + " has invalid size " + size);
        }
        return new Box(type, start + header, (int) (start + size));
    }

    static List<Box> children(ByteBuffer buf, int start, int end) throws CodecException {
        List<Box> out = new ArrayList<>();
        int p = start;
        while (end - p >= 8) {
            Box b = box(buf, p, end);
            out.add(b);
            p = b.end;
        }
        return out;
    }

    private static Box find(ByteBuffer buf, Box parent, String type) throws CodecException {
        for (Box b : children(buf, parent.bodyStart, parent.end)) {
            if (b.is(type)) {
                return b;
            }
        }
        return null;
    }

    private static Box require(ByteBuffer buf, Box parent, String type) throws CodecException {
        Box b = find(buf, parent, type);
        if (b == null) {
            throw new CodecException("missing '" + type + "' box in '" + parent.type + "'");
        }
        if (b.end - b.bodyStart < 4) {
            throw new CodecException("'" + type + "' box too short");
        }
        return b;
    }

    private static void checkTable(Box box, int tableStart, long count, int entrySize) throws CodecException {
        if (count < 0 || count * entrySize > box.end - tableStart) {
            throw new CodecException("'" + box.type + "' table of " + count + " entries does not fit its box");
        }
    }

    private static int sampleCount(long count) throws CodecException {
        if (count > MAX_SAMPLES) {
            throw new CodecException("too many samples: " + count);
        }
        return (int) count;
    }

    private static String fourcc(ByteBuffer buf, int p, int limit) throws CodecException {
        if (limit - p < 4) {
            throw new CodecException("truncated box type");
        }
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int b = buf.get(p + i) & 0xFF;
            c[i] = b >= 0x20 && b < 0x7F ? (char) b : '?';
        }
        return new String(c);
    }

    private static long u32(ByteBuffer buf, int p, int limit) throws CodecException {
        if (p < 0 || limit - p < 4) {
            throw new CodecException("truncated field at offset " + p);
        }
        return buf.getInt(p) & 0xFFFF_FFFFL;
    }

    private static int u32i(ByteBuffer buf, int p, int limit) throws CodecException {
        long v = u32(buf, p, limit);
        if (v > Integer.MAX_VALUE) {
            throw new CodecException("value out of range at offset " + p + ": " + v);
        }
        return (int) v;
    }

    private static int u16(ByteBuffer buf, int p, int limit) throws CodecException {
        if (p < 0 || limit - p < 2) {
            throw new CodecException("truncated field at offset " + p);
        }
        return buf.getShort(p) & 0xFFFF;
    }
}
