package io.flux.media.testing.gb28181;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The GStreamer test stream, generated once into target/flux-sim. */
final class TestMedia {

    private static PsMediaFile loaded;

    private TestMedia() {
    }

    static synchronized Path path() throws IOException {
        boolean available = onPath("gst-launch-1.0");
        if (!available && System.getenv("CI") != null) {
            throw new AssertionError("gst-launch-1.0 is needed (scripts/test-tools.sh installs it)");
        }
        assumeTrue(available, "gst-launch-1.0 is needed (gstreamer1.0-tools, -plugins-bad, -plugins-ugly)");
        return PsMediaFile.generate(Path.of("target", "flux-sim"), 1000);
    }

    static synchronized PsMediaFile file() throws IOException {
        if (loaded == null) {
            loaded = PsMediaFile.load(path());
        }
        return loaded;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
