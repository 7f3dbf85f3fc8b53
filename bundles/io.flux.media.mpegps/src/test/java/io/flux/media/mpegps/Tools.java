package io.flux.media.mpegps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ffmpeg, ffprobe and gst-launch-1.0 for tests that check against real media tools. */
final class Tools {

    private Tools() {
    }

    static boolean available(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    record Result(int exit, String out, String err) {
    }

    static Result exec(List<String> cmd) throws IOException {
        Path errFile = Files.createTempFile("tool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    Files.readString(errFile, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    static String run(List<String> cmd) throws IOException {
        Result r = exec(cmd);
        if (r.exit() != 0) {
            throw new IOException(cmd + " failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }

    /** Generates {@code out} with ffmpeg from lavfi sources unless it exists. */
    static Path ffmpeg(Path out, String... args) throws IOException {
        if (Files.isRegularFile(out) && Files.size(out) > 0) {
            return out;
        }
        Files.createDirectories(out.getParent());
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(List.of(args));
        cmd.add(tmp.toString());
        run(cmd);
        Files.move(tmp, out);
        return out;
    }

    /** ffmpeg decoding the whole file; returns what it printed on stderr at level error (empty when clean). */
    static String decodeErrors(Path file, String format) throws IOException {
        Result r = exec(List.of("ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-f", format, "-i",
                file.toString(), "-f", "null", "-"));
        return r.exit() == 0 ? r.err().trim() : "exit " + r.exit() + ": " + r.err();
    }

    /** Number of frames ffmpeg decodes from the file. */
    static int decodedFrames(Path file, String format) throws IOException {
        String out = run(List.of("ffprobe", "-v", "error", "-f", format, "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file.toString()));
        return Integer.parseInt(out.trim().replace(",", ""));
    }

    /** One packet as ffprobe sees it. */
    record ProbePacket(long pts, long dts, boolean keyframe, int size) {
    }

    /** Packets of the first video stream; pts/dts are -1 when ffprobe prints N/A. */
    static List<ProbePacket> packets(Path file, String format) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        if (format != null) {
            cmd.addAll(List.of("-f", format));
        }
        cmd.addAll(List.of("-select_streams", "v:0", "-show_entries", "packet=pts,dts,flags,size", "-of",
                "csv=p=0", file.toString()));
        List<ProbePacket> out = new ArrayList<>();
        for (String line : run(cmd).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // ffprobe prints the requested entries in its own order: pts,dts,size,flags
            String[] f = line.trim().split(",");
            out.add(new ProbePacket(num(f[0]), num(f[1]), f[3].startsWith("K"), Integer.parseInt(f[2])));
        }
        return out;
    }

    private static long num(String s) {
        return s.equals("N/A") ? -1 : Long.parseLong(s);
    }
}
