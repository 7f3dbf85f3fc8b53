package io.flux.media.mpegps;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.codec.AccessUnit;
import io.flux.media.codec.AnnexBReader;

/** Test media generated on first use into target/media (nothing binary is committed). */
final class TestMedia {

    static final Path DIR = Path.of("target", "media");

    private TestMedia() {
    }

    /** GB28181-like PS from GStreamer's mpegpsmux and the H.264 it muxed (access-unit aligned), 100 frames. */
    record GstPs(Path ps, Path h264) {
    }

    static synchronized GstPs gstPs() throws IOException {
        require(Tools.available("gst-launch-1.0") && Tools.available("ffprobe"),
                "gst-launch-1.0 and ffprobe are needed (gstreamer1.0-tools, -plugins-bad, -plugins-ugly)");
        Path ps = DIR.resolve("gst-h264.ps");
        Path h264 = DIR.resolve("gst-h264.h264");
        if (!Files.isRegularFile(ps) || !Files.isRegularFile(h264)) {
            Files.createDirectories(DIR);
            Path tmpPs = DIR.resolve("gst-h264.ps.tmp");
            Path tmpEs = DIR.resolve("gst-h264.h264.tmp");
            Tools.run(List.of("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=100", "pattern=smpte",
                    "horizontal-speed=4", "!", "video/x-raw,width=320,height=240,framerate=25/1", "!", "x264enc",
                    "key-int-max=25", "bframes=2", "bitrate=2000", "!", "h264parse", "!",
                    "video/x-h264,stream-format=byte-stream,alignment=au", "!", "tee", "name=t", "!", "queue",
                    "!", "mpegpsmux", "!", "filesink", "location=" + tmpPs, "t.", "!", "queue", "!", "filesink",
                    "location=" + tmpEs));
            Files.move(tmpEs, h264);
            Files.move(tmpPs, ps);
        }
        return new GstPs(ps, h264);
    }

    /** H.265 Annex B from libx265: 4 s at 25 fps, 800 kbit/s, a keyframe every 25 frames, no B-frames. */
    static synchronized Path h265() throws IOException {
        requireFfmpeg();
        return Tools.ffmpeg(DIR.resolve("x265.h265"), "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                "-pix_fmt", "yuv420p", "-c:v", "libx265", "-b:v", "800k", "-x265-params", "keyint=25:min-keyint=25:bframes=0:log-level=error",
                "-f", "hevc");
    }

    /** H.264 Annex B from libx264: 2 s at 25 fps, 800 kbit/s, a keyframe every 25 frames, no B-frames. */
    static synchronized Path h264() throws IOException {
        requireFfmpeg();
        return Tools.ffmpeg(DIR.resolve("x264.h264"), "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
                "-pix_fmt", "yuv420p", "-c:v", "libx264", "-b:v", "800k", "-g", "25", "-bf", "0", "-f", "h264");
    }

    /** G.711 A-law, 8 kHz mono, 4 s. */
    static synchronized Path alaw() throws IOException {
        requireFfmpeg();
        return Tools.ffmpeg(DIR.resolve("tone.alaw"), "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
                "-ar", "8000", "-ac", "1", "-c:a", "pcm_alaw", "-f", "alaw");
    }

    /** AAC-LC in ADTS, 44.1 kHz stereo, 2 s. */
    static synchronized Path aac() throws IOException {
        requireFfmpeg();
        return Tools.ffmpeg(DIR.resolve("tone.aac"), "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                "-ar", "44100", "-ac", "2", "-c:a", "aac", "-b:a", "96k", "-f", "adts");
    }

    static void requireFfmpeg() {
        require(Tools.available("ffmpeg") && Tools.available("ffprobe"), "ffmpeg and ffprobe are needed");
    }

    /** Skips locally without the tool; in CI (CI set) a missing tool fails: scripts/test-tools.sh installs them. */
    private static void require(boolean available, String message) {
        if (!available && System.getenv("CI") != null) {
            throw new AssertionError(message + " (scripts/test-tools.sh installs them)");
        }
        assumeTrue(available, message);
    }

    /** The access units of an Annex B file, as byte arrays with their keyframe flag. */
    record Frame(byte[] data, boolean keyframe) {
    }

    static List<Frame> accessUnits(Path annexB, boolean hevc) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(annexB));
        AnnexBReader reader = new AnnexBReader(all, hevc);
        List<Frame> out = new ArrayList<>();
        for (AccessUnit au = reader.next(); au != null; au = reader.next()) {
            byte[] b = new byte[au.data().remaining()];
            au.data().duplicate().get(b);
            out.add(new Frame(b, au.keyframe()));
        }
        return out;
    }
}
