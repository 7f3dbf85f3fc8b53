package io.flux.media.ffmpeg.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.flux.media.api.sample.Codec;

/**
 * Test streams made with the ffmpeg command line (never committed), cached under target/test-media,
 * and a small Annex B splitter: the streams carry access unit delimiters (x264/x265 {@code aud=1}),
 * so an access unit starts at each AUD.
 */
public final class TestMedia {

    /** An elementary stream cut into access units, in decoding order. */
    public record Stream(Codec codec, Path file, List<ByteBuffer> accessUnits, List<Boolean> keyframes) {

        /** The access units from the {@code n}-th keyframe (0-based) up to, not including, the next keyframe. */
        public List<ByteBuffer> gop(int n) {
            int seen = -1;
            List<ByteBuffer> out = new ArrayList<>();
            for (int i = 0; i < accessUnits.size(); i++) {
                if (keyframes.get(i)) {
                    seen++;
                }
                if (seen == n) {
                    out.add(accessUnits.get(i).duplicate());
                } else if (seen > n) {
                    break;
                }
            }
            return out;
        }

        public ByteBuffer keyframe() {
            return gop(0).get(0);
        }
    }

    private TestMedia() {
    }

    /**
     * Encodes {@code seconds} of a lavfi source into an Annex B stream with a keyframe every {@code gop} frames.
     *
     * @param source lavfi graph, such as {@code testsrc=size=320x240:rate=25}
     * @param extra  more output options (filters, pixel format), may be empty
     */
    public static Stream generate(String name, Codec codec, String source, double seconds, int gop, String... extra)
            throws IOException, InterruptedException {
        return generate(name, codec, false, source, seconds, gop, extra);
    }

    /** As {@link #generate}; with {@code openGop} x265 starts later GOPs with CRA pictures followed by RASL ones. */
    public static Stream generate(String name, Codec codec, boolean openGop, String source, double seconds, int gop,
            String... extra) throws IOException, InterruptedException {
        Path dir = Path.of("target", "test-media");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + (codec == Codec.H265 ? ".h265" : ".h264"));
        if (!Files.exists(file)) {
            List<String> cmd = new ArrayList<>(List.of(ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", source, "-t", Double.toString(seconds)));
            cmd.addAll(List.of(extra));
            if (codec == Codec.H265) {
                cmd.addAll(List.of("-c:v", "libx265", "-x265-params", "aud=1:keyint=" + gop + ":min-keyint=" + gop
                        + ":scenecut=0:log-level=error" + (openGop ? "" : ":no-open-gop=1"), "-f", "hevc"));
            } else {
                cmd.addAll(List.of("-c:v", "libx264", "-x264-params", "aud=1:keyint=" + gop + ":min-keyint=" + gop
                        + ":scenecut=0", "-f", "h264"));
            }
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            cmd.add(tmp.toString());
            run(cmd);
            Files.move(tmp, file);
        }
        return split(codec, file);
    }

    /** Cuts an Annex B file into access units at each access unit delimiter. */
    public static Stream split(Codec codec, Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        List<int[]> nals = new ArrayList<>(); // {start of start code, start of payload}
        for (int i = 0; i + 3 <= data.length; i++) {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                int sc = i > 0 && data[i - 1] == 0 ? i - 1 : i;
                nals.add(new int[] {sc, i + 3});
                i += 2;
            }
        }
        List<ByteBuffer> aus = new ArrayList<>();
        List<Boolean> keys = new ArrayList<>();
        int auStart = -1;
        boolean key = false;
        for (int n = 0; n < nals.size(); n++) {
            int type = nalType(codec, data[nals.get(n)[1]]);
            if (type == (codec == Codec.H265 ? 35 : 9)) {
                if (auStart >= 0) {
                    aus.add(ByteBuffer.wrap(data, auStart, nals.get(n)[0] - auStart).slice());
                    keys.add(key);
                }
                auStart = nals.get(n)[0];
                key = false;
            }
            key |= codec == Codec.H265 ? type >= 16 && type <= 21 : type == 5;
        }
        if (auStart >= 0) {
            aus.add(ByteBuffer.wrap(data, auStart, data.length - auStart).slice());
            keys.add(key);
        }
        if (aus.isEmpty() || !keys.get(0)) {
            throw new IOException(file + " has no access unit delimiters or does not start with a keyframe");
        }
        return new Stream(codec, file, aus, keys);
    }

    /** Runs ffprobe on a file and returns "codec,width,height" of its first video stream. */
    public static String probe(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,width,height", "-of", "csv=p=0", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffprobe failed on " + file + ": " + out);
        }
        return out;
    }

    private static int nalType(Codec codec, byte header) {
        return codec == Codec.H265 ? (header >> 1) & 0x3f : header & 0x1f;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("failed: " + String.join(" ", cmd) + "\n" + out);
        }
    }

    private static String ffmpeg() throws IOException {
        return tool("ffmpeg");
    }

    private static String tool(String name) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IOException(name + " is not on the PATH: the tests generate their media with it");
    }
}
