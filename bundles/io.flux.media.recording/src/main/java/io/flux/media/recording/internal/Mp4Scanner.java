package io.flux.media.recording.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a fragmented MP4 file sequentially and rebuilds what the index needs: the video track's timescale, its
 * decode-time span and the fragments that start with a keyframe (decode time and moof offset). Only moov and moof
 * are read into memory (each bounded); mdat payloads are skipped. Truncated or malformed input raises an
 * {@link IOException}.
 */
final class Mp4Scanner {

    static final int MAX_MOOV = 4 * 1024 * 1024;
    static final int MAX_MOOF = 16 * 1024 * 1024;

    private Mp4Scanner() {
    }

    /** A fragment starting with a keyframe: decode time in the track's timescale and the moof's byte offset. */
    record Keyframe(long decodeTime, long moofOffset) {
    }

    /** What a scan found; decode times in {@code timescale} units. */
    record Result(long bytes, int timescale, long firstDecodeTime, long endDecodeTime, int fragments,
            List<Keyframe> keyframes) {

        long durationMillis() {
            return (endDecodeTime - firstDecodeTime) * 1000 / timescale;
        }

        /** Milliseconds from the first decode time to {@code decodeTime}. */
        long offsetMillis(long decodeTime) {
            return (decodeTime - firstDecodeTime) * 1000 / timescale;
        }
    }

    private record TrackDefaults(int duration, int flags) {
    }

    static Result scan(InputStream in) throws IOException {
        long pos = 0;
        int videoTrack = -1;
        int timescale = 0;
        Map<Integer, TrackDefaults> trex = new HashMap<>();
        long first = -1;
        long end = -1;
        int fragments = 0;
        List<Keyframe> keyframes = new ArrayList<>();
        byte[] header = new byte[16];
        while (true) {
            int n = in.readNBytes(header, 0, 8);
            if (n == 0) {
                break;
            }
            if (n < 8) {
                throw new EOFException("truncated box header at " + pos);
            }
            long size = u32(header, 0);
            String type = new String(header, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int headerLength = 8;
            if (size == 1) {
                if (in.readNBytes(header, 8, 8) < 8) {
                    throw new EOFException("truncated box header at " + pos);
                }
                size = (u32(header, 8) << 32) | u32(header, 12);
                headerLength = 16;
            } else if (size == 0) {
                if (!type.equals("mdat")) {
                    throw new IOException("open-ended " + type + " box at " + pos);
                }
                break;
            }
            if (size < headerLength) {
                throw new IOException("bad size " + size + " of box " + type + " at " + pos);
            }
            long body = size - headerLength;
            switch (type) {
                case "moov" -> {
                    ByteBuffer moov = readBody(in, body, MAX_MOOV, type, pos);
                    int[] video = new int[2];
                    parseMoov(moov, video, trex);
                    videoTrack = video[0];
                    timescale = video[1];
                }
                case "moof" -> {
                    if (videoTrack < 0) {
                        throw new IOException("moof before moov at " + pos);
                    }
                    ByteBuffer moof = readBody(in, body, MAX_MOOF, type, pos);
                    long[] frag = parseMoof(moof, videoTrack, trex.get(videoTrack));
                    if (frag != null) {
                        fragments++;
                        if (first < 0) {
                            first = frag[0];
                        }
                        end = frag[0] + frag[1];
                        if (frag[2] == 1) {
                            keyframes.add(new Keyframe(frag[0], pos));
                        }
                    }
                }
                default -> in.skipNBytes(body);
            }
            pos += size;
        }
        if (videoTrack < 0 || timescale <= 0) {
            throw new IOException("no video track");
        }
        if (fragments == 0) {
            throw new IOException("no fragment");
        }
        return new Result(pos, timescale, first, end, fragments, List.copyOf(keyframes));
    }

    /**
     * The length of the longest prefix made of whole boxes that ends after a complete fragment (moof and the mdat
     * after it), or 0 when there is none: what a recording interrupted by a crash can keep. Nothing is parsed
     * beyond box headers.
     */
    static long completePrefix(InputStream in) throws IOException {
        long pos = 0;
        long valid = 0;
        boolean moof = false;
        boolean moov = false;
        byte[] header = new byte[16];
        while (true) {
            int n = in.readNBytes(header, 0, 8);
            if (n < 8) {
                return valid;
            }
            long size = u32(header, 0);
            String type = new String(header, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int headerLength = 8;
            if (size == 1) {
                if (in.readNBytes(header, 8, 8) < 8) {
                    return valid;
                }
                size = (u32(header, 8) << 32) | u32(header, 12);
                headerLength = 16;
            }
            if (size < headerLength) {
                return valid;
            }
            long body = size - headerLength;
            try {
                in.skipNBytes(body);
            } catch (EOFException e) {
                return valid;
            }
            pos += size;
            switch (type) {
                case "moov" -> moov = true;
                case "moof" -> moof = true;
                case "mdat" -> {
                    if (moov && moof) {
                        valid = pos;
                    }
                    moof = false;
                }
                default -> {
                    // ftyp, styp, free: part of a complete prefix only with what follows
                }
            }
        }
    }

    private static ByteBuffer readBody(InputStream in, long body, int max, String type, long pos) throws IOException {
        if (body > max) {
            throw new IOException(type + " box of " + body + " bytes at " + pos + " is larger than " + max);
        }
        byte[] b = in.readNBytes((int) body);
        if (b.length < body) {
            throw new EOFException("truncated " + type + " box at " + pos);
        }
        return ByteBuffer.wrap(b);
    }

    /** Fills {@code video} with the video track id and timescale, and {@code trex} with per-track defaults. */
    private static void parseMoov(ByteBuffer moov, int[] video, Map<Integer, TrackDefaults> trex) throws IOException {
        video[0] = -1;
        forEachBox(moov, (type, box) -> {
            if (type.equals("trak")) {
                int[] id = {-1};
                int[] scale = {0};
                boolean[] isVideo = {false};
                forEachBox(box, (t2, b2) -> {
                    if (t2.equals("tkhd")) {
                        int version = b2.get(b2.position()) & 0xFF;
                        id[0] = b2.getInt(b2.position() + (version == 1 ? 20 : 12));
                    } else if (t2.equals("mdia")) {
                        forEachBox(b2, (t3, b3) -> {
                            if (t3.equals("mdhd")) {
                                int version = b3.get(b3.position()) & 0xFF;
                                scale[0] = b3.getInt(b3.position() + (version == 1 ? 20 : 12));
                            } else if (t3.equals("hdlr")) {
                                isVideo[0] = b3.getInt(b3.position() + 8) == fourcc("vide");
                            }
                        });
                    }
                });
                if (isVideo[0] && video[0] < 0) {
                    video[0] = id[0];
                    video[1] = scale[0];
                }
            } else if (type.equals("mvex")) {
                forEachBox(box, (t2, b2) -> {
                    if (t2.equals("trex")) {
                        int p = b2.position();
                        trex.put(b2.getInt(p + 4), new TrackDefaults(b2.getInt(p + 12), b2.getInt(p + 20)));
                    }
                });
            }
        });
    }

    /** For the video traf of a moof: {decode time, duration, starts-with-keyframe}, or null without one. */
    private static long[] parseMoof(ByteBuffer moof, int videoTrack, TrackDefaults defaults) throws IOException {
        long[][] result = {null};
        forEachBox(moof, (type, box) -> {
            if (!type.equals("traf") || result[0] != null) {
                return;
            }
            int[] track = {-1};
            int[] defDuration = {defaults != null ? defaults.duration() : 0};
            int[] defFlags = {defaults != null ? defaults.flags() : 0};
            long[] decodeTime = {-1};
            long[] duration = {0};
            int[] firstFlags = {Integer.MIN_VALUE};
            boolean[] sawRun = {false};
            forEachBox(box, (t2, b) -> {
                int p = b.position();
                int version = b.get(p) & 0xFF;
                int flags = b.getInt(p) & 0xFF_FFFF;
                switch (t2) {
                    case "tfhd" -> {
                        track[0] = b.getInt(p + 4);
                        int at = p + 8;
                        if ((flags & 0x01) != 0) {
                            at += 8;
                        }
                        if ((flags & 0x02) != 0) {
                            at += 4;
                        }
                        if ((flags & 0x08) != 0) {
                            defDuration[0] = b.getInt(at);
                            at += 4;
                        }
                        if ((flags & 0x10) != 0) {
                            at += 4;
                        }
                        if ((flags & 0x20) != 0) {
                            defFlags[0] = b.getInt(at);
                        }
                    }
                    case "tfdt" -> decodeTime[0] = version == 1 ? b.getLong(p + 4) : b.getInt(p + 4) & 0xFFFF_FFFFL;
                    case "trun" -> {
                        int count = b.getInt(p + 4);
                        int at = p + 8;
                        if ((flags & Fmp4.TRUN_DATA_OFFSET) != 0) {
                            at += 4;
                        }
                        Integer first = null;
                        if ((flags & Fmp4.TRUN_FIRST_SAMPLE_FLAGS) != 0) {
                            first = b.getInt(at);
                            at += 4;
                        }
                        int perSample = Integer.bitCount(flags & 0xF00) * 4;
                        if (count < 0 || (long) count * perSample > b.limit() - at) {
                            throw new IOException("trun sample count " + count + " exceeds its box");
                        }
                        for (int i = 0; i < count; i++) {
                            int s = at;
                            int d = defDuration[0];
                            if ((flags & Fmp4.TRUN_DURATION) != 0) {
                                d = b.getInt(s);
                                s += 4;
                            }
                            if ((flags & Fmp4.TRUN_SIZE) != 0) {
                                s += 4;
                            }
                            int f = defFlags[0];
                            if ((flags & Fmp4.TRUN_FLAGS) != 0) {
                                f = b.getInt(s);
                            }
                            if (i == 0 && !sawRun[0]) {
                                firstFlags[0] = first != null ? first : f;
                            }
                            duration[0] += d & 0xFFFF_FFFFL;
                            at += perSample;
                        }
                        sawRun[0] = true;
                    }
                    default -> {
                    }
                }
            });
            if (track[0] == videoTrack && sawRun[0]) {
                if (decodeTime[0] < 0) {
                    throw new IOException("video traf without tfdt");
                }
                boolean key = firstFlags[0] != Integer.MIN_VALUE && (firstFlags[0] & Fmp4.FLAG_NON_SYNC_BIT) == 0;
                result[0] = new long[] {decodeTime[0], duration[0], key ? 1 : 0};
            }
        });
        return result[0];
    }

    private interface BoxVisitor {
        void visit(String type, ByteBuffer body) throws IOException;
    }

    /** Visits the child boxes of {@code parent} (from its position to its limit); each body is a slice. */
    private static void forEachBox(ByteBuffer parent, BoxVisitor visitor) throws IOException {
        int p = parent.position();
        int limit = parent.limit();
        try {
            while (p + 8 <= limit) {
                long size = parent.getInt(p) & 0xFFFF_FFFFL;
                int headerLength = 8;
                if (size == 1) {
                    if (p + 16 > limit) {
                        throw new IOException("truncated box header");
                    }
                    size = parent.getLong(p + 8);
                    headerLength = 16;
                } else if (size == 0) {
                    size = limit - p;
                }
                if (size < headerLength || p + size > limit) {
                    throw new IOException("box size " + size + " runs past its parent");
                }
                String type = new String(new byte[] {parent.get(p + 4), parent.get(p + 5), parent.get(p + 6),
                    parent.get(p + 7)}, java.nio.charset.StandardCharsets.ISO_8859_1);
                ByteBuffer body = parent.duplicate().limit((int) (p + size)).position(p + headerLength).slice();
                visitor.visit(type, body);
                p += (int) size;
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("box shorter than its fields", e);
        }
    }

    private static int fourcc(String s) {
        return (s.charAt(0) << 24) | (s.charAt(1) << 16) | (s.charAt(2) << 8) | s.charAt(3);
    }

    private static long u32(byte[] b, int off) {
        return ((b[off] & 0xFFL) << 24) | ((b[off + 1] & 0xFFL) << 16) | ((b[off + 2] & 0xFFL) << 8) | (b[off + 3] & 0xFFL);
    }
}
