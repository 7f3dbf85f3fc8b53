package io.flux.media.protocol.gb28181.internal.media;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.flux.media.api.sample.MediaSample;
import io.flux.media.mpegps.GbMediaPipeline;
import io.flux.media.mpegps.RtpPacket;

/**
 * Real GB28181 media for the receiver tests: H.264 muxed into a program stream by GStreamer's mpegpsmux (generated
 * into target/media on first use), cut into RTP the way cameras do (payload type 96, at most 1400 bytes, marker on
 * a frame's last packet), as in the mpegps bundle's tests.
 */
final class GbStreams {

    static final Path DIR = Path.of("target", "media");
    static final int PAYLOAD_TYPE = 96;
    static final int MAX_PAYLOAD = 1400;

    private static byte[] ps;
    private static byte[] h264;

    private GbStreams() {
    }

    /** The program stream (100 frames, 320x240 at 25 fps, keyframe every 25, B-frames). */
    static synchronized byte[] ps() throws IOException {
        if (ps == null) {
            Path psFile = DIR.resolve("gst-h264.ps");
            Path esFile = DIR.resolve("gst-h264.h264");
            if (!Files.isRegularFile(psFile) || !Files.isRegularFile(esFile)) {
                boolean available = available("gst-launch-1.0");
                if (!available && System.getenv("CI") != null) {
                    throw new AssertionError("gst-launch-1.0 is needed (scripts/test-tools.sh installs it)");
                }
                assumeTrue(available, "gst-launch-1.0 is needed (gstreamer1.0-tools, -plugins-bad, -plugins-ugly)");
                Files.createDirectories(DIR);
                Path tmpPs = DIR.resolve("gst-h264.ps.tmp");
                Path tmpEs = DIR.resolve("gst-h264.h264.tmp");
                run(List.of("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=100", "pattern=smpte",
                        "horizontal-speed=4", "!", "video/x-raw,width=320,height=240,framerate=25/1", "!",
                        "x264enc", "key-int-max=25", "bframes=2", "bitrate=2000", "!", "h264parse", "!",
                        "video/x-h264,stream-format=byte-stream,alignment=au", "!", "tee", "name=t", "!", "queue",
                        "!", "mpegpsmux", "!", "filesink", "location=" + tmpPs, "t.", "!", "queue", "!",
                        "filesink", "location=" + tmpEs));
                Files.move(tmpEs, esFile);
                Files.move(tmpPs, psFile);
            }
            h264 = Files.readAllBytes(esFile);
            ps = Files.readAllBytes(psFile);
        }
        return ps;
    }

    /** The H.264 elementary stream mpegpsmux was given (what the receiver must deliver, byte for byte). */
    static synchronized byte[] h264() throws IOException {
        ps();
        return h264;
    }

    /** The stream as RTP packets with this SSRC, sequence numbers from {@code firstSeq} (wrapping). */
    static List<ByteBuffer> packets(long ssrc, int firstSeq) throws IOException {
        byte[] stream = ps();
        List<ByteBuffer> out = new ArrayList<>();
        int seq = firstSeq;
        for (Unit u : framesOf(stream)) {
            int n = u.data.remaining();
            for (int off = 0; off < n; off += MAX_PAYLOAD) {
                int len = Math.min(MAX_PAYLOAD, n - off);
                out.add(RtpPacket.encode(PAYLOAD_TYPE, off + len == n, seq & 0xFFFF, u.timestamp, ssrc,
                        u.data.slice(u.data.position() + off, len)));
                seq++;
            }
        }
        return out;
    }

    /** What a pipeline fed the packets directly (no sockets) gives: the expected output of a receiver. */
    static List<MediaSample> reference(List<ByteBuffer> packets, long ssrc) {
        List<MediaSample> out = new ArrayList<>();
        GbMediaPipeline p = GbMediaPipeline.builder().ssrc(ssrc).build(out::add);
        for (ByteBuffer b : packets) {
            p.onDatagram(b.duplicate());
        }
        p.finish();
        return out;
    }

    /** RFC 4571: the packets each preceded by their 16-bit length, as one byte array. */
    static byte[] framed(List<ByteBuffer> packets) {
        int size = packets.stream().mapToInt(b -> 2 + b.remaining()).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer b : packets) {
            out.putShort((short) b.remaining()).put(b.duplicate());
        }
        return out.array();
    }

    private record Unit(ByteBuffer data, long timestamp) {
    }

    /** Cuts the PS into frames: each starts at the pack/system header/map before a video PES with a PTS. */
    private static List<Unit> framesOf(byte[] ps) {
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

    private static long pts(byte[] b, int p) {
        return ((long) ((b[p] >> 1) & 0x07) << 30) | ((long) (b[p + 1] & 0xFF) << 22)
                | ((long) ((b[p + 2] & 0xFF) >> 1) << 15) | ((long) (b[p + 3] & 0xFF) << 7) | ((b[p + 4] & 0xFF) >> 1);
    }

    private static boolean available(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void run(List<String> cmd) throws IOException {
        Path err = Files.createTempFile("gst", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(err.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IOException(cmd + " failed (" + p.exitValue() + "): "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
