package io.flux.media.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Runs the ffmpeg and ffprobe executables, for tests that check against real encoder output. */
public final class Ffmpeg {

    private static final long TIMEOUT_SECONDS = 120;

    private Ffmpeg() {
    }

    /**
     * Whether both ffmpeg and ffprobe are on the PATH: tests assume this and skip otherwise, except in CI
     * (environment variable {@code CI} set), where a missing tool is an error rather than a silent skip.
     */
    public static boolean available() {
        boolean found;
        try {
            found = run(List.of("ffmpeg", "-version")).startsWith("ffmpeg")
                    && run(List.of("ffprobe", "-version")).startsWith("ffprobe");
        } catch (IOException e) {
            found = false;
        }
        if (!found && System.getenv("CI") != null) {
            throw new AssertionError("ffmpeg/ffprobe missing in CI: scripts/test-tools.sh installs them (./flux test runs it)");
        }
        return found;
    }

    /** Runs ffmpeg writing {@code out}; {@code args} hold inputs and output options. */
    public static Path generate(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        run(cmd);
        if (!Files.isRegularFile(out) || Files.size(out) == 0) {
            throw new IOException("ffmpeg wrote nothing to " + out);
        }
        return out;
    }

    /** ffprobe's view of the first stream of the given type ("v" or "a"), keys without their prefix. */
    public static Map<String, String> probe(Path file, String type) throws IOException {
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
    public static List<Boolean> packetKeyframes(Path file, String type) throws IOException {
        return packets(file, type, "flags", line -> line.startsWith("K"));
    }

    /** Presentation timestamps of every packet of the first video stream, in decoding order. */
    public static List<Long> packetPts(Path file) throws IOException {
        return packets(file, "v", "pts", line -> Long.parseLong(line.trim().replace(",", "")));
    }

    /** pts_time (seconds) of every packet of the first stream of the type, in file (decoding) order. */
    public static List<Double> packetPtsTimes(Path file, String type) throws IOException {
        return packets(file, type, "pts_time", line -> Double.parseDouble(line.trim().replace(",", "")));
    }

    private static <T> List<T> packets(Path file, String type, String entry, Function<String, T> parse)
            throws IOException {
        String text = run(List.of("ffprobe", "-v", "error", "-select_streams", type + ":0", "-show_entries",
                "packet=" + entry, "-of", "csv=p=0", file.toString()));
        List<T> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(parse.apply(line));
            }
        }
        return out;
    }

    /** Runs a command, returning its output (stdout and stderr); fails on a non-zero exit or a timeout. */
    public static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Read on a separate thread so a process that hangs without closing its output still times out.
        var output = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + TIMEOUT_SECONDS + " s: " + cmd);
            }
            String text = new String(output.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(cmd.get(0) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("reading the output of " + cmd + " failed", e);
        }
    }
}
