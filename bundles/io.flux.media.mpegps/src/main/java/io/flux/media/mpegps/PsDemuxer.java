package io.flux.media.mpegps;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.Adts;
import io.flux.media.codec.AdtsHeader;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;
import io.flux.media.codec.NalUnits;
import io.flux.media.mpegps.internal.Clock33;
import io.flux.media.mpegps.internal.Probe;
import io.flux.media.mpegps.internal.Slab;

/**
 * Demultiplexes an MPEG-2 program stream (ISO/IEC 13818-1 2.5) as GB28181 devices send it into
 * {@link VideoSample}s (one Annex B access unit each, H.264 or H.265) and {@link AudioSample}s (G.711 A/µ-law
 * 8 kHz mono, one per PES; AAC one ADTS frame each), timestamps in 90 kHz.
 * <p>
 * Bytes are {@linkplain #feed(ByteBuffer) fed} in chunks of any size (typically RTP payloads); headers may be
 * split anywhere. Understood: pack headers (MPEG-2 with stuffing, and MPEG-1), system headers, program stream
 * maps (stream types {@link #STREAM_TYPE_H264}, {@link #STREAM_TYPE_H265}, {@link #STREAM_TYPE_G711A},
 * {@link #STREAM_TYPE_G711U}, {@link #STREAM_TYPE_AAC}; CRC ignored), video PES 0xE0-0xEF and audio PES
 * 0xC0-0xDF (MPEG-2 and MPEG-1 headers, PTS/DTS with their marker bits checked, PES_packet_length 0 meaning
 * "up to the next start code"). Other packets are skipped by their length. Without a program stream map the
 * codec is probed from the payload (Annex B NAL unit headers, ADTS sync word, else
 * {@link Options#audioFallback()}). The first video and the first audio stream are used.
 * <p>
 * A video access unit collects PES payloads until a video PES with a different PTS begins (several PES per
 * frame, with or without repeated PTS, are joined), or, for streams without any PTS, until the next pack header;
 * {@link #endOfFrame()} (the RTP marker) and {@link #flush()} end it early. Keyframes (H.264 IDR, H.265 IRAP)
 * are detected with the codec library. PTS/DTS are extended past their 33-bit wrap-around; an access unit without
 * PTS takes the SCR of its pack.
 * <p>
 * Damage is counted in {@link #stats()} by {@link DemuxError} kind and skipped by resynchronising on the next
 * start code: {@code feed} never throws for any input, always terminates, and memory stays bounded (an access
 * unit over {@link Options#maxAccessUnitSize()} is dropped). Each payload byte is copied once, from the input
 * into the array the sample's payload is a slice of; emitted payloads are never written again, so listeners may
 * keep them. Not thread-safe: one instance per stream, fed from one thread.
 */
public final class PsDemuxer {

    public static final int STREAM_TYPE_AAC = 0x0F;
    public static final int STREAM_TYPE_H264 = 0x1B;
    public static final int STREAM_TYPE_H265 = 0x24;
    public static final int STREAM_TYPE_G711A = 0x90;
    public static final int STREAM_TYPE_G711U = 0x91;

    /**
     * Tuning of a demuxer.
     *
     * @param maxAccessUnitSize          largest video access unit in bytes; bigger ones are dropped with an
     *                                   {@link DemuxError#ACCESS_UNIT_TOO_LARGE} error (64 KiB to 256 MiB)
     * @param slabSize                   size of the arrays access units are assembled in, back to back (4 KiB to
     *                                   maxAccessUnitSize); larger ones retain more memory per stream, smaller
     *                                   ones copy partial frames more often when moving to the next array
     * @param audioFallback              codec assumed for audio PES that neither a program stream map nor an ADTS
     *                                   header identifies ({@link Codec#G711A}, {@link Codec#G711U}), or null to
     *                                   drop them as {@link DemuxError#UNKNOWN_CODEC}
     * @param dropUntilKeyframeAfterLoss after a {@link #discontinuity()}, drop video until the next keyframe
     *                                   rather than pass frames that reference lost data
     */
    public record Options(int maxAccessUnitSize, int slabSize, Codec audioFallback,
            boolean dropUntilKeyframeAfterLoss) {

        /** 8 MiB access units, 128 KiB slabs, G.711 A-law fallback, frames after a loss passed on. */
        public static final Options DEFAULTS = new Options(8 << 20, 128 << 10, Codec.G711A, false);

        public Options {
            if (maxAccessUnitSize < (64 << 10) || maxAccessUnitSize > (256 << 20)) {
                throw new IllegalArgumentException("maxAccessUnitSize must be 64 KiB to 256 MiB");
            }
            if (slabSize < (4 << 10) || slabSize > maxAccessUnitSize) {
                throw new IllegalArgumentException("slabSize must be 4 KiB to maxAccessUnitSize");
            }
            if (audioFallback != null && audioFallback != Codec.G711A && audioFallback != Codec.G711U) {
                throw new IllegalArgumentException("audioFallback must be G711A, G711U or null");
            }
        }

        public Options withMaxAccessUnitSize(int bytes) {
            return new Options(bytes, Math.min(slabSize, bytes), audioFallback, dropUntilKeyframeAfterLoss);
        }

        public Options withSlabSize(int bytes) {
            return new Options(maxAccessUnitSize, bytes, audioFallback, dropUntilKeyframeAfterLoss);
        }

        public Options withAudioFallback(Codec codec) {
            return new Options(maxAccessUnitSize, slabSize, codec, dropUntilKeyframeAfterLoss);
        }

        public Options withDropUntilKeyframeAfterLoss(boolean drop) {
            return new Options(maxAccessUnitSize, slabSize, audioFallback, drop);
        }
    }

    /** Largest header kept across chunks: a program stream map (1018 bytes at most) with its 6-byte prefix. */
    private static final int HEADER_CAPACITY = 1024;
    private static final int MAX_PSM_LENGTH = HEADER_CAPACITY - 6;
    private static final int AUDIO_SLAB = 16 << 10;
    private static final int AUDIO_CAP = 128 << 10;
    private static final int MAX_ADTS_FRAME = 8191;
    private static final int G711_RATE = 8000;

    private enum State { HEADER, PAYLOAD, UNBOUNDED, SKIP }

    private enum Target { NONE, VIDEO, AUDIO }

    private final Options options;
    private final SampleListener listener;
    private final Clock33 clock = new Clock33();

    // Parsing.
    private State state = State.HEADER;
    private Target target = Target.NONE;
    /** Payload or skip bytes left in the current packet. */
    private int remaining;
    private final byte[] header = new byte[HEADER_CAPACITY];
    private final ByteBuffer headerView = ByteBuffer.wrap(header);
    private int headerLength;
    private int headerNeed;
    /** Bytes to parse again before the rest of the input: the part of a rejected header after its start. */
    private byte[] pushback = new byte[HEADER_CAPACITY];
    private byte[] spare = new byte[HEADER_CAPACITY];
    private int pushbackLength;
    /** End of an unbounded PES held back because it may begin a start code. */
    private final byte[] tail = new byte[16];
    private final ByteBuffer tailView = ByteBuffer.wrap(tail);
    private int tailLength;
    private boolean syncLost;

    // Program stream map.
    private final int[] streamTypes = new int[256];
    private final int[] mapEntries = new int[256];
    private int videoStreamId = -1;
    private int audioStreamId = -1;
    private Codec videoCodec;
    private Codec audioCodec;

    // Video access unit.
    private final Slab video;
    private boolean auOpen;
    private long auPts;
    private long auDts;
    private long auScr;
    private boolean videoPtsSeen;
    private boolean videoDropping;
    private boolean awaitKeyframe;
    private long lastScr = -1;
    private long lastVideoDts;

    // Audio.
    private final Slab audio = new Slab(AUDIO_SLAB, AUDIO_CAP);
    private long audioPesPts = -1;
    /** Where the current audio PES begins, relative to the start of the audio bytes held. */
    private int audioPesStart;
    private boolean adtsSyncLost;
    private boolean nextAudioKnown;
    private long nextAudioPts;

    // Counters.
    private long bytes;
    private long packs;
    private long systemHeaders;
    private long programStreamMaps;
    private long pesPackets;
    private long ignoredPackets;
    private long videoAccessUnits;
    private long keyframes;
    private long audioFrames;
    private long droppedAccessUnits;
    private long skippedBytes;
    private final long[] errors = new long[DemuxError.values().length];

    public PsDemuxer(SampleListener listener) {
        this(Options.DEFAULTS, listener);
    }

    public PsDemuxer(Options options, SampleListener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.video = new Slab(options.slabSize(), options.maxAccessUnitSize());
    }

    /**
     * Consumes the bytes from the buffer's position to its limit (the buffer is not modified and may be reused
     * once this returns), emitting every sample completed by them.
     */
    public void feed(ByteBuffer data) {
        int p = data.position();
        int limit = data.limit();
        bytes += limit - p;
        while (true) {
            while (pushbackLength > 0) {
                drainPushback();
            }
            if (p >= limit) {
                return;
            }
            p = process(data, p, limit);
        }
    }

    /**
     * Tells that input was lost before the next bytes (an RTP sequence gap): the access unit and audio frame in
     * progress are dropped, video PES without PTS are skipped until a new access unit begins, and parsing
     * resynchronises on the next start code.
     */
    public void discontinuity() {
        error(DemuxError.DISCONTINUITY);
        if (auOpen && video.length() > 0) {
            droppedAccessUnits++;
        }
        video.clear();
        auOpen = false;
        videoDropping = true;
        audio.clear();
        audioPesStart = 0;
        adtsSyncLost = false;
        target = Target.NONE;
        state = State.HEADER;
        remaining = 0;
        headerLength = 0;
        tailLength = 0;
        syncLost = true;
        if (options.dropUntilKeyframeAfterLoss()) {
            awaitKeyframe = true;
        }
    }

    /**
     * Hint that the input so far ends a frame (the RTP marker bit): emits the video access unit in progress when
     * the last PES packet is complete, instead of waiting for the next one. Only for senders whose marker is
     * reliable: a frame split into several PES with a marker after each would be cut.
     */
    public void endOfFrame() {
        if (state == State.UNBOUNDED) {
            endUnboundedPes();
        }
        if (state == State.HEADER) {
            finishAccessUnit();
        }
    }

    /** End of the stream: emits the access unit in progress, or drops it when its last PES is incomplete. */
    public void flush() {
        if (state == State.UNBOUNDED) {
            endUnboundedPes();
        }
        if (state == State.PAYLOAD && target == Target.VIDEO) {
            error(DemuxError.TRUNCATED);
            dropAccessUnit();
        } else {
            if (state == State.PAYLOAD && target == Target.AUDIO) {
                error(DemuxError.TRUNCATED);
            }
            finishAccessUnit();
        }
        audio.clear();
        audioPesStart = 0;
        target = Target.NONE;
        state = State.HEADER;
        remaining = 0;
        skippedBytes += headerLength;
        headerLength = 0;
    }

    /** The video codec in use (from the program stream map or probed), or null before one is known. */
    public Codec videoCodec() {
        return videoCodec;
    }

    /** The audio codec in use, or null before one is known. */
    public Codec audioCodec() {
        return audioCodec;
    }

    public DemuxStats stats() {
        EnumMap<DemuxError, Long> byKind = new EnumMap<>(DemuxError.class);
        for (DemuxError kind : DemuxError.values()) {
            byKind.put(kind, errors[kind.ordinal()]);
        }
        return new DemuxStats(bytes, packs, systemHeaders, programStreamMaps, pesPackets, ignoredPackets,
                videoAccessUnits, keyframes, audioFrames, droppedAccessUnits, skippedBytes, byKind);
    }

    // ---------------------------------------------------------------------------------------------- parsing

    /** Runs the state machine over {@code in[p, limit)}; stops early when bytes were pushed back. */
    private int process(ByteBuffer in, int p, int limit) {
        while (p < limit && pushbackLength == 0) {
            switch (state) {
                case PAYLOAD -> {
                    int n = Math.min(remaining, limit - p);
                    payload(in, p, n);
                    p += n;
                    remaining -= n;
                    if (remaining == 0) {
                        endPes();
                    }
                }
                case SKIP -> {
                    int n = Math.min(remaining, limit - p);
                    p += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.HEADER;
                    }
                }
                case UNBOUNDED -> p = unbounded(in, p, limit);
                case HEADER -> p = header(in, p, limit);
            }
        }
        return p;
    }

    /**
     * Parses bytes pushed back. Whatever that pushes back in turn is shorter, and goes before the rest, so this
     * terminates.
     */
    private void drainPushback() {
        byte[] src = pushback;
        int n = pushbackLength;
        pushback = spare;
        spare = src;
        pushbackLength = 0;
        int q = process(ByteBuffer.wrap(src, 0, n), 0, n);
        if (q < n) {
            System.arraycopy(src, q, pushback, pushbackLength, n - q);
            pushbackLength += n - q;
        }
    }

    private int header(ByteBuffer in, int p, int limit) {
        if (headerLength == 0) {
            int r = parseHeader(in, p, limit - p);
            if (r > 0) {
                return p + r;
            }
            // Incomplete: keep what there is until the next chunk.
            in.get(p, header, 0, limit - p);
            headerLength = limit - p;
            headerNeed = -r;
            return limit;
        }
        int take = Math.min(headerNeed - headerLength, limit - p);
        in.get(p, header, headerLength, take);
        headerLength += take;
        p += take;
        if (headerLength < headerNeed) {
            return p;
        }
        int r = parseHeader(headerView, 0, headerLength);
        if (r < 0) {
            headerNeed = -r;
            return p;
        }
        if (r < headerLength) {
            System.arraycopy(header, r, pushback, 0, headerLength - r);
            pushbackLength = headerLength - r;
        }
        headerLength = 0;
        return p;
    }

    /**
     * Parses the header at {@code b[off]} with {@code avail} bytes available. Returns the bytes consumed (at
     * least 1: a header, or garbage skipped), or minus the number of bytes needed (more than {@code avail}).
     */
    private int parseHeader(ByteBuffer b, int off, int avail) {
        if (avail < 4) {
            return -4;
        }
        if (b.get(off) != 0 || b.get(off + 1) != 0 || b.get(off + 2) != 1) {
            return resync(b, off, avail, null);
        }
        int id = b.get(off + 3) & 0xFF;
        if (id < 0xB9) {
            return resync(b, off, avail, null);
        }
        if (id == 0xB9) {
            syncLost = false;
            return 4;
        }
        if (id == 0xBA) {
            return packHeader(b, off, avail);
        }
        if (avail < 6) {
            return -6;
        }
        int length = b.getShort(off + 4) & 0xFFFF;
        if (id == 0xBB) {
            return systemHeader(b, off, avail, length);
        }
        if (id == 0xBC) {
            return programStreamMap(b, off, avail, length);
        }
        if (isVideo(id) || isAudio(id)) {
            return pes(b, off, avail, id, length);
        }
        syncLost = false;
        ignoredPackets++;
        skip(length);
        return 6;
    }

    /**
     * Skips to the next start code candidate after {@code off}, or to the end keeping up to two trailing zero bytes
     * that may begin one. Counts {@code kind}, or {@link DemuxError#SYNC} once per lost stretch.
     */
    private int resync(ByteBuffer b, int off, int avail, DemuxError kind) {
        if (kind != null) {
            error(kind);
        } else if (!syncLost) {
            error(DemuxError.SYNC);
        }
        syncLost = true;
        int next = NalUnits.findStartCode(b, off + 1, off + avail);
        int skip;
        if (next >= 0) {
            skip = next - off;
        } else {
            int keep = 0;
            while (keep < 2 && b.get(off + avail - 1 - keep) == 0) {
                keep++;
            }
            skip = avail - keep;
        }
        skippedBytes += skip;
        return skip;
    }

    private int packHeader(ByteBuffer b, int off, int avail) {
        if (avail < 5) {
            return -5;
        }
        int b4 = b.get(off + 4) & 0xFF;
        long scr;
        int length;
        if ((b4 & 0xC0) == 0x40) {
            if (avail < 14) {
                return -14;
            }
            length = 14 + (b.get(off + 13) & 0x07);
            if (avail < length) {
                return -length;
            }
            int b6 = b.get(off + 6) & 0xFF;
            int b8 = b.get(off + 8) & 0xFF;
            if ((b4 & 0x04) == 0 || (b6 & 0x04) == 0 || (b8 & 0x04) == 0 || (b.get(off + 9) & 0x01) == 0
                    || (b.get(off + 12) & 0x03) != 0x03) {
                return resync(b, off, avail, DemuxError.PACK_HEADER);
            }
            scr = ((long) ((b4 >> 3) & 0x07) << 30) | ((long) (b4 & 0x03) << 28)
                    | ((long) (b.get(off + 5) & 0xFF) << 20) | ((long) (b6 >> 3) << 15) | ((long) (b6 & 0x03) << 13)
                    | ((long) (b.get(off + 7) & 0xFF) << 5) | (b8 >> 3);
        } else if ((b4 & 0xF0) == 0x20) {
            length = 12;
            if (avail < length) {
                return -length;
            }
            int b6 = b.get(off + 6) & 0xFF;
            int b8 = b.get(off + 8) & 0xFF;
            if ((b4 & 0x01) == 0 || (b6 & 0x01) == 0 || (b8 & 0x01) == 0 || (b.get(off + 9) & 0x80) == 0
                    || (b.get(off + 11) & 0x01) == 0) {
                return resync(b, off, avail, DemuxError.PACK_HEADER);
            }
            scr = ((long) ((b4 >> 1) & 0x07) << 30) | ((long) (b.get(off + 5) & 0xFF) << 22)
                    | ((long) (b6 >> 1) << 15) | ((long) (b.get(off + 7) & 0xFF) << 7) | (b8 >> 1);
        } else {
            return resync(b, off, avail, DemuxError.PACK_HEADER);
        }
        syncLost = false;
        packs++;
        lastScr = scr;
        if (!videoPtsSeen) {
            // Streams without PTS: a pack is the only frame boundary there is.
            finishAccessUnit();
            videoDropping = false;
        }
        return length;
    }

    private int systemHeader(ByteBuffer b, int off, int avail, int length) {
        if (length < 6) {
            return resync(b, off, avail, DemuxError.SYSTEM_HEADER);
        }
        if (avail < 9) {
            return -9;
        }
        if ((b.get(off + 6) & 0x80) == 0 || (b.get(off + 8) & 0x01) == 0) {
            return resync(b, off, avail, DemuxError.SYSTEM_HEADER);
        }
        syncLost = false;
        systemHeaders++;
        skip(length - 3);
        return 9;
    }

    private int programStreamMap(ByteBuffer b, int off, int avail, int length) {
        if (length < 10) {
            return resync(b, off, avail, DemuxError.PROGRAM_STREAM_MAP);
        }
        if (length > MAX_PSM_LENGTH) {
            error(DemuxError.PROGRAM_STREAM_MAP);
            syncLost = false;
            skip(length);
            return 6;
        }
        if (avail < 6 + length) {
            return -(6 + length);
        }
        if (!parseMap(b, off + 6, off + 6 + length)) {
            return resync(b, off, avail, DemuxError.PROGRAM_STREAM_MAP);
        }
        syncLost = false;
        programStreamMaps++;
        applyMap();
        return 6 + length;
    }

    /** Reads the elementary stream map into {@link #mapEntries}; false when a length does not fit. */
    private boolean parseMap(ByteBuffer b, int start, int end) {
        int p = start + 2; // current_next_indicator, version, marker
        int infoLength = b.getShort(p) & 0xFFFF;
        p += 2 + infoLength;
        if (p + 2 > end) {
            return false;
        }
        int mapLength = b.getShort(p) & 0xFFFF;
        p += 2;
        int mapEnd = p + mapLength;
        if (mapEnd > end) {
            return false;
        }
        Arrays.fill(mapEntries, 0);
        while (p < mapEnd) {
            if (p + 4 > mapEnd) {
                return false;
            }
            int type = b.get(p) & 0xFF;
            int id = b.get(p + 1) & 0xFF;
            p += 4 + (b.getShort(p + 2) & 0xFFFF);
            if (p > mapEnd) {
                return false;
            }
            mapEntries[id] = type;
        }
        return true;
    }

    private void applyMap() {
        System.arraycopy(mapEntries, 0, streamTypes, 0, 256);
        int vid = chooseStream(videoStreamId, 0xE0, 0xEF);
        if (vid >= 0) {
            Codec codec = videoCodecOf(streamTypes[vid]);
            if (vid != videoStreamId) {
                finishAccessUnit();
                videoStreamId = vid;
                videoCodec = codec;
            } else if (codec != null && codec != videoCodec) {
                finishAccessUnit();
                videoCodec = codec;
            }
        }
        int aid = chooseStream(audioStreamId, 0xC0, 0xDF);
        if (aid >= 0) {
            Codec codec = audioCodecOf(streamTypes[aid]);
            if (aid != audioStreamId || (codec != null && codec != audioCodec)) {
                audio.clear();
                audioPesStart = 0;
                audioStreamId = aid;
                audioCodec = codec;
            }
        }
    }

    /** The current stream if the map lists it, else the first listed in the id range, else -1. */
    private int chooseStream(int current, int from, int to) {
        if (current >= 0 && streamTypes[current] != 0) {
            return current;
        }
        for (int id = from; id <= to; id++) {
            if (streamTypes[id] != 0) {
                return id;
            }
        }
        return -1;
    }

    private static Codec videoCodecOf(int streamType) {
        return switch (streamType) {
            case STREAM_TYPE_H264 -> Codec.H264;
            case STREAM_TYPE_H265 -> Codec.H265;
            default -> null;
        };
    }

    private static Codec audioCodecOf(int streamType) {
        return switch (streamType) {
            case STREAM_TYPE_G711A -> Codec.G711A;
            case STREAM_TYPE_G711U -> Codec.G711U;
            case STREAM_TYPE_AAC -> Codec.AAC;
            default -> null;
        };
    }

    private int pes(ByteBuffer b, int off, int avail, int id, int length) {
        if (avail < 7) {
            return -7;
        }
        long pts = -1;
        long dts = -1;
        int headerEnd;
        int payloadLength;
        if ((b.get(off + 6) & 0xC0) == 0x80) {
            if (length != 0 && length < 3) {
                return resync(b, off, avail, DemuxError.PES_HEADER);
            }
            if (avail < 9) {
                return -9;
            }
            int flags = (b.get(off + 7) & 0xFF) >> 6;
            int dataLength = b.get(off + 8) & 0xFF;
            int timestamps = flags == 2 ? 5 : flags == 3 ? 10 : 0;
            if (flags == 1 || timestamps > dataLength || (length != 0 && 3 + dataLength > length)) {
                return resync(b, off, avail, DemuxError.PES_HEADER);
            }
            headerEnd = 9 + dataLength;
            if (avail < headerEnd) {
                return -headerEnd;
            }
            if (flags >= 2) {
                pts = timestamp(b, off + 9);
                dts = flags == 3 ? timestamp(b, off + 14) : 0;
                if (pts < 0 || dts < 0) {
                    return resync(b, off, avail, DemuxError.TIMESTAMP);
                }
                if (flags == 2) {
                    dts = -1;
                }
            }
            payloadLength = length == 0 ? -1 : length - 3 - dataLength;
        } else {
            // MPEG-1 packet header (ISO/IEC 11172-1 2.4.3.3): stuffing, STD buffer, then PTS / PTS+DTS / 0x0F.
            if (length == 0) {
                return resync(b, off, avail, DemuxError.PES_HEADER);
            }
            int q = off + 6;
            int c = b.get(q) & 0xFF;
            int stuffing = 0;
            while (c == 0xFF) {
                if (++stuffing > 16) {
                    return resync(b, off, avail, DemuxError.PES_HEADER);
                }
                q++;
                if (q - off >= avail) {
                    return -(q - off + 1);
                }
                c = b.get(q) & 0xFF;
            }
            if ((c & 0xC0) == 0x40) {
                q += 2;
                if (q - off >= avail) {
                    return -(q - off + 1);
                }
                c = b.get(q) & 0xFF;
            }
            if ((c & 0xF0) == 0x20 || (c & 0xF0) == 0x30) {
                int n = (c & 0xF0) == 0x20 ? 5 : 10;
                if (q + n - off > avail) {
                    return -(q + n - off);
                }
                pts = timestamp(b, q);
                dts = n == 10 ? timestamp(b, q + 5) : 0;
                if (pts < 0 || dts < 0) {
                    return resync(b, off, avail, DemuxError.TIMESTAMP);
                }
                if (n == 5) {
                    dts = -1;
                }
                q += n;
            } else if (c == 0x0F) {
                q++;
            } else {
                return resync(b, off, avail, DemuxError.PES_HEADER);
            }
            headerEnd = q - off;
            if (headerEnd > 6 + length) {
                return resync(b, off, avail, DemuxError.PES_HEADER);
            }
            payloadLength = 6 + length - headerEnd;
        }
        syncLost = false;
        startPes(id, pts, dts, payloadLength);
        return headerEnd;
    }

    /** A 33-bit PTS/DTS from its 5 bytes, or -1 when a marker bit is clear. */
    private static long timestamp(ByteBuffer b, int p) {
        int b0 = b.get(p) & 0xFF;
        int b2 = b.get(p + 2) & 0xFF;
        int b4 = b.get(p + 4) & 0xFF;
        if ((b0 & 0x01) == 0 || (b2 & 0x01) == 0 || (b4 & 0x01) == 0) {
            return -1;
        }
        return ((long) ((b0 >> 1) & 0x07) << 30) | ((long) (b.get(p + 1) & 0xFF) << 22) | ((long) (b2 >> 1) << 15)
                | ((long) (b.get(p + 3) & 0xFF) << 7) | (b4 >> 1);
    }

    private void skip(int length) {
        if (length > 0) {
            state = State.SKIP;
            remaining = length;
        }
    }

    private static boolean isVideo(int id) {
        return id >= 0xE0 && id <= 0xEF;
    }

    private static boolean isAudio(int id) {
        return id >= 0xC0 && id <= 0xDF;
    }

    private void startPes(int id, long pts, long dts, int payloadLength) {
        Target t = isVideo(id) ? videoPes(id, pts, dts) : audioPes(id, pts);
        target = t;
        if (payloadLength < 0) {
            state = State.UNBOUNDED;
        } else if (payloadLength == 0) {
            endPes();
        } else {
            state = State.PAYLOAD;
            remaining = payloadLength;
        }
    }

    private Target videoPes(int id, long pts, long dts) {
        if (videoStreamId < 0) {
            videoStreamId = id;
        }
        if (id != videoStreamId) {
            ignoredPackets++;
            return Target.NONE;
        }
        pesPackets++;
        if (pts >= 0) {
            videoPtsSeen = true;
            if (auOpen && (auPts < 0 || pts != auPts)) {
                finishAccessUnit();
            }
            if (!auOpen) {
                openAccessUnit(pts, dts);
            }
            return Target.VIDEO;
        }
        if (!auOpen) {
            if (videoDropping) {
                // The rest of an access unit whose start was lost or dropped.
                return Target.NONE;
            }
            openAccessUnit(-1, -1);
        }
        return Target.VIDEO;
    }

    private void openAccessUnit(long pts, long dts) {
        auOpen = true;
        auPts = pts;
        auDts = dts;
        auScr = lastScr;
        videoDropping = false;
    }

    private Target audioPes(int id, long pts) {
        if (audioStreamId < 0) {
            audioStreamId = id;
        }
        if (id != audioStreamId) {
            ignoredPackets++;
            return Target.NONE;
        }
        pesPackets++;
        audioPesPts = pts;
        audioPesStart = audio.length();
        return Target.AUDIO;
    }

    private void payload(ByteBuffer in, int p, int n) {
        if (n == 0) {
            return;
        }
        if (target == Target.VIDEO) {
            if (!video.append(in, p, n)) {
                error(DemuxError.ACCESS_UNIT_TOO_LARGE);
                dropAccessUnit();
                videoDropping = true;
                target = Target.NONE;
            }
        } else if (target == Target.AUDIO && !audio.append(in, p, n)) {
            error(DemuxError.ACCESS_UNIT_TOO_LARGE);
            audio.clear();
            audioPesStart = 0;
            target = Target.NONE;
        }
    }

    private void endPes() {
        state = State.HEADER;
        if (target == Target.AUDIO) {
            audioPesEnd();
        }
        target = Target.NONE;
    }

    // ------------------------------------------------------------------------------------ unbounded PES

    /** Payload of a PES with length 0: everything up to the next pack, system or PES start code. */
    private int unbounded(ByteBuffer in, int p, int limit) {
        if (tailLength > 0) {
            int n = Math.min(limit - p, 4);
            in.get(p, tail, tailLength, n);
            int total = tailLength + n;
            for (int i = 0; i < tailLength; i++) {
                int m = matchStartCode(tail, i, total);
                if (m > 0) {
                    payload(tailView, 0, i);
                    System.arraycopy(tail, i, pushback, 0, tailLength - i);
                    pushbackLength = tailLength - i;
                    tailLength = 0;
                    endPes();
                    return p;
                }
                if (m == 0) {
                    // Undecided until more bytes come (all the input is in the tail now); what lies before the
                    // candidate is payload.
                    payload(tailView, 0, i);
                    System.arraycopy(tail, i, tail, 0, total - i);
                    tailLength = total - i;
                    return p + n;
                }
            }
            payload(tailView, 0, tailLength);
            tailLength = 0;
        }
        int sc = findSystemStartCode(in, p, limit);
        if (sc >= 0) {
            payload(in, p, sc - p);
            endPes();
            return sc;
        }
        int keep = trailingPrefix(in, p, limit);
        payload(in, p, limit - keep - p);
        in.get(limit - keep, tail, 0, keep);
        tailLength = keep;
        return limit;
    }

    private void endUnboundedPes() {
        payload(tailView, 0, tailLength);
        tailLength = 0;
        endPes();
    }

    /** 1 when {@code a[i..]} holds a system start code, 0 when it may once more bytes come, -1 when it cannot. */
    private static int matchStartCode(byte[] a, int i, int total) {
        if (a[i] != 0 || (i + 1 < total && a[i + 1] != 0) || (i + 2 < total && a[i + 2] != 1)) {
            return -1;
        }
        if (i + 3 >= total) {
            return 0;
        }
        return (a[i + 3] & 0xFF) >= 0xB9 ? 1 : -1;
    }

    /** Index of the first {@code 00 00 01 xx} with xx >= 0xB9 lying wholly in {@code [p, limit)}, or -1. */
    private static int findSystemStartCode(ByteBuffer in, int p, int limit) {
        int i = NalUnits.findStartCode(in, p, limit);
        while (i >= 0 && i + 3 < limit) {
            if ((in.get(i + 3) & 0xFF) >= 0xB9) {
                return i;
            }
            i = NalUnits.findStartCode(in, i + 3, limit);
        }
        return -1;
    }

    /** How many trailing bytes may begin a start code completed by the next chunk (0-3). */
    private static int trailingPrefix(ByteBuffer in, int p, int limit) {
        int n = limit - p;
        if (n >= 3 && in.get(limit - 3) == 0 && in.get(limit - 2) == 0 && in.get(limit - 1) == 1) {
            return 3;
        }
        if (n >= 2 && in.get(limit - 2) == 0 && in.get(limit - 1) == 0) {
            return 2;
        }
        return n >= 1 && in.get(limit - 1) == 0 ? 1 : 0;
    }

    // ---------------------------------------------------------------------------------------------- video

    private void finishAccessUnit() {
        if (!auOpen) {
            return;
        }
        auOpen = false;
        int length = video.length();
        if (length == 0) {
            return;
        }
        ByteBuffer au = video.view(0, length);
        Codec codec = videoCodec;
        if (codec == null) {
            codec = Probe.video(au);
            if (codec == null) {
                error(streamTypes[videoStreamId] != 0 ? DemuxError.UNSUPPORTED_STREAM : DemuxError.UNKNOWN_CODEC);
                dropAccessUnit();
                return;
            }
            videoCodec = codec;
        }
        List<ByteBuffer> nals = NalUnits.splitAnnexB(au);
        if (nals.isEmpty() || forbiddenBitSet(nals)) {
            error(DemuxError.CORRUPT_ACCESS_UNIT);
            dropAccessUnit();
            return;
        }
        boolean keyframe = codec == Codec.H265 ? H265.isKeyframe(nals) : H264.isKeyframe(nals);
        if (awaitKeyframe) {
            if (!keyframe) {
                dropAccessUnit();
                return;
            }
            awaitKeyframe = false;
        }
        long pts;
        long dts;
        if (auPts >= 0) {
            dts = clock.extend(auDts >= 0 ? auDts : auPts);
            pts = auDts >= 0 ? clock.near(auPts) : dts;
        } else if (auScr >= 0) {
            dts = clock.extend(auScr);
            pts = dts;
        } else {
            dts = lastVideoDts;
            pts = dts;
        }
        lastVideoDts = dts;
        videoAccessUnits++;
        if (keyframe) {
            keyframes++;
        }
        emit(new VideoSample(codec, pts, dts, keyframe, video.take(length)));
    }

    private static boolean forbiddenBitSet(List<ByteBuffer> nals) {
        for (int i = 0, n = nals.size(); i < n; i++) {
            ByteBuffer nal = nals.get(i);
            if ((nal.get(nal.position()) & 0x80) != 0) {
                return true;
            }
        }
        return false;
    }

    private void dropAccessUnit() {
        if (video.length() > 0) {
            droppedAccessUnits++;
        }
        video.clear();
        auOpen = false;
    }

    // ---------------------------------------------------------------------------------------------- audio

    private void audioPesEnd() {
        Codec codec = audioCodec;
        if (codec == null) {
            codec = probeAudio();
            if (codec == null) {
                audio.clear();
                audioPesStart = 0;
                return;
            }
            audioCodec = codec;
        }
        if (codec == Codec.AAC) {
            adtsFrames();
        } else {
            int n = audio.length();
            if (n > 0) {
                long pts = audioPesPts >= 0 ? clock.extend(audioPesPts) : nextAudioPts();
                nextAudioPts = pts + n * (long) MediaSample.CLOCK_RATE / G711_RATE;
                nextAudioKnown = true;
                audioFrames++;
                emit(new AudioSample(codec, pts, G711_RATE, 1, audio.take(n)));
            }
            audioPesStart = 0;
        }
    }

    /** Codec of an audio stream the map does not name: ADTS, else the fallback. Counts an error for null. */
    private Codec probeAudio() {
        if (audio.length() >= 2 && Probe.adts(audio.get(0), audio.get(1))) {
            return Codec.AAC;
        }
        if (streamTypes[audioStreamId] != 0) {
            error(DemuxError.UNSUPPORTED_STREAM);
            return null;
        }
        if (options.audioFallback() == null) {
            error(DemuxError.UNKNOWN_CODEC);
        }
        return options.audioFallback();
    }

    /** Emits every complete ADTS frame held; keeps a frame continued in the next PES. */
    private void adtsFrames() {
        int pos = 0;
        while (audio.length() - pos >= Adts.HEADER_LENGTH) {
            AdtsHeader h = null;
            if (Probe.adts(audio.get(pos), audio.get(pos + 1))) {
                try {
                    h = Adts.parse(audio.view(pos, Adts.HEADER_LENGTH));
                } catch (CodecException e) {
                    h = null;
                }
            }
            if (h == null) {
                if (!adtsSyncLost) {
                    error(DemuxError.AUDIO_FRAME);
                    adtsSyncLost = true;
                }
                pos++;
                continue;
            }
            if (h.frameLength() > audio.length() - pos) {
                break;
            }
            dropAudio(pos);
            pos = 0;
            adtsSyncLost = false;
            long pts;
            if (audioPesPts >= 0 && audioPesStart <= 0) {
                // The first frame beginning in this PES is the one its PTS is for.
                pts = clock.extend(audioPesPts);
                audioPesPts = -1;
            } else {
                pts = nextAudioPts();
            }
            nextAudioPts = pts + 1024L * MediaSample.CLOCK_RATE / h.sampleRate();
            nextAudioKnown = true;
            audioPesStart -= h.frameLength();
            audioFrames++;
            emit(new AudioSample(Codec.AAC, pts, h.sampleRate(), h.channels(), audio.take(h.frameLength())));
        }
        dropAudio(pos);
        if (audio.length() > MAX_ADTS_FRAME) {
            error(DemuxError.AUDIO_FRAME);
            audio.clear();
        }
        if (audio.length() == 0) {
            audioPesStart = 0;
        }
    }

    private void dropAudio(int n) {
        if (n > 0) {
            audio.skip(n);
            audioPesStart -= n;
        }
    }

    /** Timestamp for audio without PTS: continues the last frame, else the pack's SCR, else the video clock. */
    private long nextAudioPts() {
        if (nextAudioKnown) {
            return nextAudioPts;
        }
        return lastScr >= 0 ? clock.extend(lastScr) : lastVideoDts;
    }

    private void emit(MediaSample sample) {
        listener.onSample(sample);
    }

    private void error(DemuxError kind) {
        errors[kind.ordinal()]++;
    }
}
