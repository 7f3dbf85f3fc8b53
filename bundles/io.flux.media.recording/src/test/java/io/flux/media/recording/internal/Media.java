package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.AccessUnit;
import io.flux.media.codec.Adts;
import io.flux.media.codec.AnnexBReader;
import io.flux.media.codec.CodecException;

/**
 * Test media generated with ffmpeg (cached under target/test-media), turned into samples with the codec library,
 * and ffprobe/ffmpeg as the judges of what the writer produces. Without ffmpeg the tests are skipped, unless CI is
 * set (then they fail).
 */
final class Media {

    static final Path DIR = Path.of("target", "test-media");
    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    private Media() {
    }

    static void requireFfmpeg() {
        boolean ok;
        try {
            ok = run(List.of("ffprobe", "-version")).out().startsWith("ffprobe");
        } catch (IOException e) {
            ok = false;
        }
        if (!ok) {
            if (System.getenv("CI") != null) {
                fail("ffmpeg/ffprobe are not installed (CI is set, so these tests may not be skipped)");
            }
            assumeTrue(false, "ffmpeg/ffprobe are not installed");
        }
    }

    /** One ffprobe packet: timestamps in the stream's time base, keyframe flag. */
    record Packet(long pts, long dts, boolean key) {
    }

    record Result(int exit, String out, String err) {
    }

    // ---- inputs ----

    /** 25 fps 320x240 H.264 with B-frames, a keyframe every second, {@code seconds} long. */
    static List<VideoSample> h264(int seconds) throws IOException {
        return video(Codec.H264, seconds, 320, 240);
    }

    static List<VideoSample> h265(int seconds) throws IOException {
        return video(Codec.H265, seconds, 320, 240);
    }

    static List<VideoSample> video(Codec codec, int seconds, int width, int height) throws IOException {
        return video(codec, seconds, width, height, false);
    }

    /** With {@code noisy}, film grain makes every frame large (about 1 Mbit/s at 320x240). */
    @SuppressWarnings("unchecked")
    static List<VideoSample> video(Codec codec, int seconds, int width, int height, boolean noisy)
            throws IOException {
        String name = codec.name().toLowerCase() + "-" + width + "x" + height + "-" + seconds + "s"
                + (noisy ? "-noisy" : "");
        Object cached = CACHE.get(name);
        if (cached != null) {
            return (List<VideoSample>) cached;
        }
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                "testsrc=size=" + width + "x" + height + ":rate=25:duration=" + seconds
                        + (noisy ? ",noise=alls=40:allf=t+u" : ""), "-pix_fmt", "yuv420p"));
        if (codec == Codec.H264) {
            args.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-keyint_min", "25",
                    "-sc_threshold", "0", "-bf", "2"));
        } else {
            args.addAll(List.of("-c:v", "libx265", "-preset", "veryfast", "-x265-params",
                    "keyint=25:min-keyint=25:scenecut=0:open-gop=0:bframes=2:log-level=error"));
        }
        if (noisy) {
            args.addAll(List.of("-b:v", "1200k"));
        }
        args.addAll(List.of("-f", "mpegts"));
        Path ts = generate(name + ".ts", args.toArray(String[]::new));
        Path es = DIR.resolve(name + (codec == Codec.H264 ? ".h264" : ".h265"));
        if (!Files.exists(es)) {
            Path tmp = DIR.resolve(es.getFileName() + ".tmp");
            check(run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", ts.toString(),
                    "-c:v", "copy", "-f", codec == Codec.H264 ? "h264" : "hevc", tmp.toString())));
            Files.move(tmp, es, StandardCopyOption.ATOMIC_MOVE);
        }
        List<Packet> packets = packets(ts, "v");
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(es));
        AnnexBReader reader = codec == Codec.H264 ? AnnexBReader.h264(data) : AnnexBReader.h265(data);
        List<VideoSample> out = new ArrayList<>();
        AccessUnit au;
        while ((au = reader.next()) != null) {
            int i = out.size();
            if (i >= packets.size()) {
                throw new IOException("more access units than packets in " + es);
            }
            Packet p = packets.get(i);
            out.add(new VideoSample(codec, p.pts(), p.dts(), au.keyframe(), au.data()));
        }
        assertThat(out).as("access units of %s", es).hasSize(packets.size());
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).keyframe()).as("keyframe flag of AU %d", i).isEqualTo(packets.get(i).key());
        }
        List<VideoSample> result = List.copyOf(out);
        CACHE.put(name, result);
        return result;
    }

    /** AAC-LC 48 kHz mono frames (ADTS framing kept, as some protocols deliver it), pts from 0 in 90 kHz. */
    @SuppressWarnings("unchecked")
    static List<AudioSample> aac(int seconds) throws IOException {
        String name = "aac-" + seconds + "s";
        Object cached = CACHE.get(name);
        if (cached != null) {
            return (List<AudioSample>) cached;
        }
        Path f = generate(name + ".aac", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="
                + seconds, "-ac", "1", "-c:a", "aac", "-b:a", "64k", "-f", "adts");
        List<ByteBuffer> frames;
        try {
            frames = Adts.split(ByteBuffer.wrap(Files.readAllBytes(f)));
        } catch (CodecException e) {
            throw new IOException(e);
        }
        List<AudioSample> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            out.add(new AudioSample(Codec.AAC, (long) i * 1024 * MediaSample.CLOCK_RATE / 48000, 48000, 1,
                    frames.get(i)));
        }
        List<AudioSample> result = List.copyOf(out);
        CACHE.put(name, result);
        return result;
    }

    /** G.711 (A-law or µ-law) 8 kHz mono in 20 ms frames, pts from 0 in 90 kHz. */
    @SuppressWarnings("unchecked")
    static List<AudioSample> g711(Codec codec, int seconds) throws IOException {
        String name = codec.name().toLowerCase() + "-" + seconds + "s";
        Object cached = CACHE.get(name);
        if (cached != null) {
            return (List<AudioSample>) cached;
        }
        boolean alaw = codec == Codec.G711A;
        Path f = generate(name + (alaw ? ".alaw" : ".ulaw"), "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=8000:duration=" + seconds, "-ac", "1",
                "-c:a", alaw ? "pcm_alaw" : "pcm_mulaw", "-f", alaw ? "alaw" : "mulaw");
        byte[] all = Files.readAllBytes(f);
        List<AudioSample> out = new ArrayList<>();
        for (int off = 0, i = 0; off + 160 <= all.length; off += 160, i++) {
            out.add(new AudioSample(codec, (long) i * 160 * MediaSample.CLOCK_RATE / 8000, 8000, 1,
                    ByteBuffer.wrap(all, off, 160)));
        }
        List<AudioSample> result = List.copyOf(out);
        CACHE.put(name, result);
        return result;
    }

    /** Video and audio merged in timestamp order (dts), as a live source would deliver them. */
    static List<MediaSample> interleave(List<VideoSample> video, List<AudioSample> audio, long audioOffset) {
        List<MediaSample> out = new ArrayList<>(video.size() + audio.size());
        int a = 0;
        for (VideoSample v : video) {
            while (a < audio.size() && audio.get(a).pts() + audioOffset <= v.dts()) {
                AudioSample s = audio.get(a++);
                out.add(new AudioSample(s.codec(), s.pts() + audioOffset, s.sampleRate(), s.channels(), s.payload()));
            }
            out.add(v);
        }
        return out;
    }

    private static Path generate(String fileName, String... args) throws IOException {
        Files.createDirectories(DIR);
        Path out = DIR.resolve(fileName);
        if (Files.exists(out)) {
            return out;
        }
        Path tmp = DIR.resolve(fileName + ".tmp");
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(List.of(args));
        cmd.add(tmp.toString());
        check(run(cmd));
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }

    // ---- judges ----

    /** ffprobe -v error prints nothing and ffmpeg decodes every frame without a word. */
    static void assertValid(Path file) throws IOException {
        Result probe = run(List.of("ffprobe", "-v", "error", file.toString()));
        assertThat(probe.exit()).as("ffprobe exit for %s: %s", file, probe.err()).isZero();
        assertThat(probe.err()).as("ffprobe -v error on %s", file).isEmpty();
        Result decode = run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(), "-f", "null", "-"));
        assertThat(decode.exit()).as("ffmpeg exit for %s: %s", file, decode.err()).isZero();
        assertThat(decode.err()).as("ffmpeg -v error -f null on %s", file).isEmpty();
    }

    /** Packets of the first stream of a type ("v" or "a") in file order. */
    static List<Packet> packets(Path file, String type) throws IOException {
        Result r = run(List.of("ffprobe", "-v", "error", "-select_streams", type + ":0", "-show_entries",
                "packet=pts,dts,flags", "-of", "compact=p=0", file.toString()));
        check(r);
        List<Packet> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> kv = new HashMap<>();
            for (String part : line.trim().split("\\|")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            out.add(new Packet(Long.parseLong(kv.get("pts")), Long.parseLong(kv.get("dts")),
                    kv.getOrDefault("flags", "").startsWith("K")));
        }
        return out;
    }

    /** ffprobe's stream fields of the first stream of a type. */
    static Map<String, String> stream(Path file, String type) throws IOException {
        Result r = run(List.of("ffprobe", "-v", "error", "-select_streams", type + ":0", "-show_entries",
                "stream=codec_name,codec_tag_string,width,height,sample_rate,channels,time_base", "-of",
                "default=nw=1", file.toString()));
        check(r);
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static void check(Result r) throws IOException {
        if (r.exit() != 0) {
            throw new IOException("command failed (" + r.exit() + "): " + r.err());
        }
    }

    static Result run(List<String> cmd) throws IOException {
        Path err = Files.createTempFile("ffmpeg", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
