package io.flux.media.testing.gb28181;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An MPEG program stream cut into frames and packetized into RTP once, the GB28181 way: payload type 96, 90 kHz
 * timestamps from the video PTS, payloads of at most {@value #MAX_PAYLOAD} bytes, the marker bit on a frame's
 * last packet. Streams share one instance and only patch sequence number, timestamp and SSRC while sending.
 */
public final class PsMediaFile {

    /** RTP payload type of PS in GB28181 SDP ({@code a=rtpmap:96 PS/90000}). */
    public static final int PAYLOAD_TYPE = 96;
    /** Largest RTP payload: keeps packets below a 1500-byte MTU. */
    public static final int MAX_PAYLOAD = 1400;
    static final int RTP_HEADER = 12;
    static final int STREAM_TYPE_H265 = 0x24;

    /** Every RTP packet back to back (header with zero seq/timestamp/SSRC, then payload). */
    final byte[] packets;
    final int[] packetOffset;
    final int[] packetLength;
    /** Index of each frame's first packet; one extra entry holds the packet count. */
    final int[] frameFirstPacket;
    /** Each frame's RTP timestamp relative to the first frame (90 kHz). */
    final long[] frameTimestamp;
    /** Length of one pass through the file (90 kHz): the last frame lasts as long as the average frame. */
    final long loopTimestamp;
    private final long psBytes;
    private final String name;

    /** A frame of the program stream: byte range and the PTS of its video PES. */
    public record Frame(int offset, int length, long pts) {
    }

    private PsMediaFile(byte[] ps, String name) {
        List<Frame> frames = framesOf(ps);
        if (frames.size() < 2) {
            throw new IllegalArgumentException(name + ": fewer than two video frames with a PTS");
        }
        List<byte[]> sent = gbFrames(ps, frames);
        this.name = name;
        int count = 0;
        long total = 0;
        for (byte[] f : sent) {
            count += (f.length + MAX_PAYLOAD - 1) / MAX_PAYLOAD;
            total += f.length;
        }
        this.psBytes = total;
        packets = new byte[Math.toIntExact(total + (long) count * RTP_HEADER)];
        packetOffset = new int[count];
        packetLength = new int[count];
        frameFirstPacket = new int[frames.size() + 1];
        frameTimestamp = new long[frames.size()];
        long firstPts = frames.get(0).pts();
        long previous = firstPts;
        long unwrap = 0;
        int p = 0;
        int at = 0;
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            long pts = f.pts() + unwrap;
            if (pts < previous - (1L << 32)) {
                unwrap += 1L << 33; // the 33-bit PTS wrapped inside the file
                pts += 1L << 33;
            }
            previous = pts;
            frameTimestamp[i] = pts - firstPts;
            frameFirstPacket[i] = p;
            byte[] bytes = sent.get(i);
            for (int off = 0; off < bytes.length; off += MAX_PAYLOAD) {
                int len = Math.min(MAX_PAYLOAD, bytes.length - off);
                boolean last = off + len == bytes.length;
                packets[at] = (byte) 0x80; // version 2, no padding, extension or CSRC
                packets[at + 1] = (byte) ((last ? 0x80 : 0) | PAYLOAD_TYPE);
                System.arraycopy(bytes, off, packets, at + RTP_HEADER, len);
                packetOffset[p] = at;
                packetLength[p] = RTP_HEADER + len;
                at += RTP_HEADER + len;
                p++;
            }
        }
        frameFirstPacket[frames.size()] = p;
        long span = frameTimestamp[frames.size() - 1];
        if (span <= 0) {
            throw new IllegalArgumentException(name + ": video PTS do not increase");
        }
        loopTimestamp = span + span / (frames.size() - 1);
    }

    /** Reads and packetizes a program stream file. */
    public static PsMediaFile load(Path ps) throws IOException {
        return new PsMediaFile(Files.readAllBytes(ps), ps.getFileName().toString());
    }

    static PsMediaFile of(byte[] ps, String name) {
        return new PsMediaFile(ps, name);
    }

    /** Number of video frames in one pass. */
    public int frames() {
        return frameTimestamp.length;
    }

    /** Number of RTP packets in one pass. */
    public int packets() {
        return packetOffset.length;
    }

    /** Playing time of one pass. */
    public Duration duration() {
        return Duration.ofNanos(loopTimestamp * 1_000_000_000L / 90_000);
    }

    /** Average bit rate of the program stream as sent in kbit/s (without RTP headers). */
    public double bitrateKbps() {
        return psBytes * 8.0 / (loopTimestamp / 90_000.0) / 1000.0;
    }

    /**
     * One pass as the separate RTP packets a device sends: SSRC {@code ssrc}, sequence numbers from
     * {@code firstSeq} (wrapping at 16 bits), each frame's timestamp {@code firstTimestamp} plus its offset from the
     * first frame (wrapping at 32 bits).
     */
    public List<ByteBuffer> rtpPackets(long ssrc, int firstSeq, long firstTimestamp) {
        List<ByteBuffer> out = new ArrayList<>(packets());
        int seq = firstSeq;
        for (int f = 0; f < frames(); f++) {
            long ts = (firstTimestamp + frameTimestamp[f]) & 0xFFFFFFFFL;
            for (int p = frameFirstPacket[f]; p < frameFirstPacket[f + 1]; p++) {
                ByteBuffer b = ByteBuffer.allocate(packetLength[p]);
                b.put(packets, packetOffset[p], packetLength[p]);
                RtpPacer.patch(b, 0, seq++ & 0xFFFF, ts, ssrc);
                out.add(b.flip());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " (" + frames() + " frames, " + packets() + " packets, " + duration().toMillis() + " ms, "
                + Math.round(bitrateKbps()) + " kbit/s)";
    }

    /**
     * Cuts a program stream (as mpegpsmux writes it) into frames: a frame begins with the pack header, system
     * header or stream map right before a video PES that carries a PTS, else with that PES; its PTS is that one.
     * Bytes before the first such frame belong to it.
     *
     * @throws IllegalArgumentException when the bytes are not a sequence of MPEG-PS start codes
     */
    public static List<Frame> framesOf(byte[] ps) {
        List<Integer> starts = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        int i = 0;
        int runStart = -1;
        while (i + 4 <= ps.length) {
            if (ps[i] != 0 || ps[i + 1] != 0 || ps[i + 2] != 1) {
                throw new IllegalArgumentException("not a well-formed program stream at byte " + i);
            }
            int id = ps[i + 3] & 0xFF;
            int len;
            if (id == 0xBA) {
                if (i + 14 > ps.length) {
                    break;
                }
                len = 14 + (ps[i + 13] & 7);
            } else if (id == 0xB9) {
                len = 4;
            } else {
                if (i + 6 > ps.length) {
                    break;
                }
                len = 6 + (((ps[i + 4] & 0xFF) << 8) | (ps[i + 5] & 0xFF));
            }
            if (id >= 0xE0 && id <= 0xEF && i + 14 <= ps.length && (ps[i + 7] & 0x80) != 0) {
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
        List<Frame> frames = new ArrayList<>();
        for (int k = 0; k < starts.size(); k++) {
            int from = k == 0 ? 0 : starts.get(k);
            int to = k + 1 < starts.size() ? starts.get(k + 1) : ps.length;
            frames.add(new Frame(from, to - from, stamps.get(k)));
        }
        return frames;
    }

    /**
     * The frames as a GB28181 camera sends them: every frame starts with a pack header (mpegpsmux writes one only
     * every few frames; the missing ones are made from the first pack header's mux rate with the frame's PTS as
     * SCR) and every keyframe carries the system header and stream map (mpegpsmux writes them once, at the
     * start), so a receiver can start decoding at any keyframe.
     */
    static List<byte[]> gbFrames(byte[] ps, List<Frame> frames) {
        byte[] firstPack = null;
        byte[] systemHeader = null;
        byte[] streamMap = null;
        for (int i = 0; i + 6 <= ps.length && (firstPack == null || systemHeader == null || streamMap == null);) {
            int id = ps[i + 3] & 0xFF;
            int len = id == 0xBA ? 14 + (ps[i + 13] & 7)
                    : id == 0xB9 ? 4 : 6 + (((ps[i + 4] & 0xFF) << 8) | (ps[i + 5] & 0xFF));
            if (id == 0xBA && firstPack == null) {
                firstPack = Arrays.copyOfRange(ps, i, i + 14);
                firstPack[13] = (byte) 0xF8; // no stuffing
            } else if (id == 0xBB && systemHeader == null) {
                systemHeader = Arrays.copyOfRange(ps, i, i + len);
            } else if (id == 0xBC && streamMap == null) {
                streamMap = Arrays.copyOfRange(ps, i, i + len);
            }
            i += len;
        }
        boolean hevc = streamMap != null && videoStreamType(streamMap) == STREAM_TYPE_H265;
        List<byte[]> out = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(f.length() + 64);
            int at = f.offset();
            int end = f.offset() + f.length();
            if ((ps[at + 3] & 0xFF) == 0xBA) {
                int len = 14 + (ps[at + 13] & 7);
                b.write(ps, at, len);
                at += len;
            } else if (firstPack != null) {
                b.writeBytes(packHeader(firstPack, Math.max(0, f.pts() - 3600)));
            }
            boolean hasSystem = false;
            boolean hasMap = false;
            int video = at;
            while (video + 6 <= end && ((ps[video + 3] & 0xFF) == 0xBB || (ps[video + 3] & 0xFF) == 0xBC)) {
                hasSystem |= (ps[video + 3] & 0xFF) == 0xBB;
                hasMap |= (ps[video + 3] & 0xFF) == 0xBC;
                video += 6 + (((ps[video + 4] & 0xFF) << 8) | (ps[video + 5] & 0xFF));
            }
            if (isKeyframe(ps, video, end, hevc)) {
                if (!hasSystem && systemHeader != null) {
                    b.writeBytes(systemHeader);
                }
                if (!hasMap && streamMap != null) {
                    b.writeBytes(streamMap);
                }
            }
            b.write(ps, at, end - at);
            out.add(b.toByteArray());
        }
        return out;
    }

    /** A video PES whose first bytes hold an H.264 SPS (NAL type 7) or an H.265 VPS/SPS (32, 33). */
    static boolean isKeyframe(byte[] ps, int pes, int end, boolean hevc) {
        if (pes + 9 > end || (ps[pes + 3] & 0xF0) != 0xE0) {
            return false;
        }
        int payload = pes + 9 + (ps[pes + 8] & 0xFF);
        int limit = Math.min(end, payload + 512);
        for (int i = payload; i + 3 < limit; i++) {
            if (ps[i] == 0 && ps[i + 1] == 0 && ps[i + 2] == 1) {
                int h = ps[i + 3] & 0xFF;
                if (hevc ? ((h >> 1) & 0x3F) == 32 || ((h >> 1) & 0x3F) == 33 : (h & 0x1F) == 7) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The stream type the program stream map gives the first video stream (0xE0-0xEF), or -1. */
    static int videoStreamType(byte[] psm) {
        if (psm.length < 12) {
            return -1;
        }
        int infoLength = ((psm[8] & 0xFF) << 8) | (psm[9] & 0xFF);
        int at = 10 + infoLength;
        if (at + 2 > psm.length) {
            return -1;
        }
        int mapEnd = Math.min(psm.length, at + 2 + (((psm[at] & 0xFF) << 8) | (psm[at + 1] & 0xFF)));
        at += 2;
        while (at + 4 <= mapEnd) {
            int type = psm[at] & 0xFF;
            int id = psm[at + 1] & 0xFF;
            if (id >= 0xE0 && id <= 0xEF) {
                return type;
            }
            at += 4 + (((psm[at + 2] & 0xFF) << 8) | (psm[at + 3] & 0xFF));
        }
        return -1;
    }

    /** An MPEG-2 pack header like {@code template} (its mux rate) with system clock reference {@code scr}. */
    static byte[] packHeader(byte[] template, long scr) {
        byte[] h = template.clone();
        h[4] = (byte) (0x44 | ((scr >> 27) & 0x38) | ((scr >> 28) & 0x03));
        h[5] = (byte) (scr >> 20);
        h[6] = (byte) (0x04 | ((scr >> 12) & 0xF8) | ((scr >> 13) & 0x03));
        h[7] = (byte) (scr >> 5);
        h[8] = (byte) (0x04 | ((scr << 3) & 0xF8)); // SCR extension 0
        h[9] = 0x01;
        h[13] = (byte) 0xF8;
        return h;
    }

    /** The SCR base of a pack header. */
    static long scr(byte[] b, int p) {
        return ((long) ((b[p + 4] >> 3) & 0x07) << 30) | ((long) (b[p + 4] & 0x03) << 28)
                | ((long) (b[p + 5] & 0xFF) << 20) | ((long) ((b[p + 6] >> 3) & 0x1F) << 15)
                | ((long) (b[p + 6] & 0x03) << 13) | ((long) (b[p + 7] & 0xFF) << 5) | ((b[p + 8] >> 3) & 0x1F);
    }

    static long pts(byte[] b, int p) {
        return ((long) ((b[p] >> 1) & 0x07) << 30) | ((long) (b[p + 1] & 0xFF) << 22)
                | ((long) ((b[p + 2] & 0xFF) >> 1) << 15) | ((long) (b[p + 3] & 0xFF) << 7)
                | ((b[p + 4] & 0xFF) >> 1);
    }

    /** {@code target/flux-sim} when run from a Maven module, else {@code ~/.cache/flux-sim}. */
    public static Path defaultCacheDir() {
        if (Files.isDirectory(Path.of("target"))) {
            return Path.of("target", "flux-sim");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "flux-sim");
    }

    /**
     * The cached test stream for {@code bitrateKbps}, made with GStreamer when absent: 10 s of 640x480 SMPTE bars
     * at 25 fps, H.264 (a keyframe every second, no B-frames) in mpegpsmux's program stream.
     *
     * @throws IOException when gst-launch-1.0 is missing or fails
     */
    public static Path generate(Path cacheDir, int bitrateKbps) throws IOException {
        if (bitrateKbps < 50 || bitrateKbps > 50_000) {
            throw new IllegalArgumentException("bit rate out of range (50..50000 kbit/s): " + bitrateKbps);
        }
        Path out = cacheDir.resolve("smpte-640x480-25fps-" + bitrateKbps + "k.ps");
        if (Files.isRegularFile(out) && Files.size(out) > 0) {
            return out;
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, "gen", ".ps.tmp");
        Path err = Files.createTempFile(cacheDir, "gen", ".err");
        List<String> cmd = List.of("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=250", "pattern=smpte",
                "horizontal-speed=4", "!", "video/x-raw,width=640,height=480,framerate=25/1", "!", "x264enc",
                "key-int-max=25", "bframes=0", "bitrate=" + bitrateKbps, "tune=zerolatency", "!", "h264parse", "!",
                "video/x-h264,stream-format=byte-stream,alignment=au", "!", "mpegpsmux", "!", "filesink",
                "location=" + tmp.toAbsolutePath());
        try {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(err.toFile()).start();
            } catch (IOException e) {
                throw new IOException("gst-launch-1.0 is needed to generate the test stream "
                        + "(gstreamer1.0-tools, -plugins-base, -plugins-good, -plugins-bad, -plugins-ugly)", e);
            }
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("gst-launch-1.0 timed out");
            }
            if (p.exitValue() != 0 || Files.size(tmp) == 0) {
                throw new IOException("gst-launch-1.0 failed (" + p.exitValue() + "): " + Files.readString(err));
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating media", e);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(err);
        }
    }
}
