package io.flux.media.protocol.replay.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs ffmpeg and ffprobe for tests that check the parsers against real encoder output. */
final class Ffmpeg {

    private Ffmpeg() {
    }

    static boolean available() {
        try {
            return run(List.of("ffprobe", "-version")).startsWith("ffprobe");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs ffmpeg writing {@code out}; {@code args} hold inputs and output options. */
    static Path generate(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        run(cmd);
        if (!Files.isRegularFile(out) || Files.size(out) == 0) {
            throw new IOException("ffmpeg wrote nothing to " + out);
        }
        return out;
    }

    /** ffprobe's view of the first stream of the given type ("v" or "a"). */
    static Map<String, String> probe(Path file, String type) throws IOException {
        String text = run(List.of("ffprobe", "-v", "error", "-select_streams", type + ":0", "-show_streams",
                "-of", "flat=s=_:h=0", file.toString()));
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                String key = line.substring(0, eq).replaceFirst("^(streams_)?stream_0_", "");
                out.put(key, line.substring(eq + 1).replace("\"", ""));
            }
        }
        return out;
    }

    /** Keyframe flag of every packet of the first stream of the given type, in stream order. */
    static List<Boolean> packetKeyframes(Path file, String type) throws IOException {
        String text = run(List.of("ffprobe", "-v", "error", "-select_streams", type + ":0", "-show_entries",
                "packet=flags", "-of", "csv=p=0", file.toString()));
        List<Boolean> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(line.startsWith("K"));
            }
        }
        return out;
    }

    /** Presentation timestamps of every packet of the first video stream, in decoding order. */
    static List<Long> packetPts(Path file) throws IOException {
        String text = run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts", "-of", "csv=p=0", file.toString()));
        List<Long> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(Long.parseLong(line.trim().replace(",", "")));
            }
        }
        return out;
    }

    /** pts_time (seconds) of every packet of the first stream of the type, in file (decoding) order. */
    static List<Double> packetPtsTimes(Path file, String type) throws IOException {
        String text = run(List.of("ffprobe", "-v", "error", "-select_streams", type + ":0", "-show_entries",
                "packet=pts_time", "-of", "csv=p=0", file.toString()));
        List<Double> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(Double.parseDouble(line.trim().replace(",", "")));
            }
        }
        return out;
    }

    static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(cmd.get(0) + " failed (" + p.exitValue() + "): " + text);
        }
        return text;
    }
}
