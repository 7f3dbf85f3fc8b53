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
import io.flux.media.testing.gb28181.PsMediaFile;

/**
 * Real GB28181 media for the receiver tests: H.264 muxed into a program stream by GStreamer's mpegpsmux (generated
 * into target/media on first use), sent the way cameras do by the device simulator's {@link PsMediaFile} (a pack
 * header on every frame, system header and stream map on keyframes, payload type 96, at most 1400 bytes, marker on
 * a frame's last packet).
 */
final class GbStreams {

    static final Path DIR = Path.of("target", "media");

    private static PsMediaFile media;
    private static byte[] h264;

    private GbStreams() {
    }

    /** The program stream (100 frames, 320x240 at 25 fps, keyframe every 25, B-frames), cut and packetized. */
    private static synchronized PsMediaFile media() throws IOException {
        if (media == null) {
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
            media = PsMediaFile.load(psFile);
        }
        return media;
    }

    /** The H.264 elementary stream mpegpsmux was given (what the receiver must deliver, byte for byte). */
    static synchronized byte[] h264() throws IOException {
        media();
        return h264;
    }

    /** The stream as RTP packets with this SSRC, sequence numbers from {@code firstSeq} (wrapping). */
    static List<ByteBuffer> packets(long ssrc, int firstSeq) throws IOException {
        return media().rtpPackets(ssrc, firstSeq, 0);
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
