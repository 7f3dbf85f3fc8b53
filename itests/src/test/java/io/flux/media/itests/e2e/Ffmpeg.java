package io.flux.media.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real ffprobe/ffmpeg as judges of what the server wrote. */
final class Ffmpeg {

    record Result(int exit, String output) {
    }

    private Ffmpeg() {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    }

    /** ffprobe accepts the file without a word and ffmpeg decodes it completely without errors. */
    static String problems(Path file) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        Result probe = run("ffprobe", "-v", "error", file.toString());
        if (probe.exit() != 0 || !probe.output().isEmpty()) {
            problems.add("ffprobe: exit " + probe.exit() + " " + probe.output());
        }
        Result decode = run("ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(), "-f", "null", "-");
        if (decode.exit() != 0 || !decode.output().isEmpty()) {
            problems.add("ffmpeg decode: exit " + decode.exit() + " " + decode.output());
        }
        return String.join("; ", problems);
    }

    /** Whether the first video frame of the file is a keyframe. */
    static boolean startsWithKeyframe(Path file) throws IOException, InterruptedException {
        Result r = run("ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
                "-show_entries", "frame=key_frame", "-of", "csv=p=0", file.toString());
        return r.exit() == 0 && r.output().lines().findFirst().map(String::strip).orElse("").startsWith("1");
    }

    /** Codec name of the first video stream, as ffprobe reports it. */
    static String videoCodec(Path file) throws IOException, InterruptedException {
        return run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name",
                "-of", "csv=p=0", file.toString()).output().strip();
    }
}
