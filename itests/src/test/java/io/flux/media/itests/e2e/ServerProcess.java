package io.flux.media.itests.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The exported server started the way users start it ({@code runtime/bin/flux-server}, or another launcher such
 * as {@code runtime/bin/flux-gb28181d}), as its own process, so tests can kill it with SIGKILL and start it again
 * on the same data directory.
 */
public final class ServerProcess implements AutoCloseable {

    public static final String ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";

    private final Path root;
    private final Path work;
    private final int port;
    private final String launcher;
    private final Map<String, String> environment;
    private Process process;

    public ServerProcess(Path work, Map<String, String> extraConfig) throws IOException {
        this(work, extraConfig, "flux-server", Map.of("FLUX_ADMIN_TOKEN", ADMIN_TOKEN));
    }

    /**
     * @param launcher    script under {@code runtime/bin}
     * @param environment variables for it (its token)
     */
    public ServerProcess(Path work, Map<String, String> extraConfig, String launcher, Map<String, String> environment)
            throws IOException {
        this.launcher = launcher;
        this.environment = Map.copyOf(environment);
        this.root = Path.of(System.getProperty("flux.root", ".."));
        this.work = Files.createDirectories(work);
        this.port = freePort();
        Path config = Files.createDirectories(work.resolve("config"));
        try (Stream<Path> files = Files.list(root.resolve("config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(config.resolve("io.flux.media.server.cfg"), "http.port=" + port + "\nhttp.host=127.0.0.1\n");
        // The gb28181 feature installs at boot: keep its SIP server off the shared 5060 unless a test configures it.
        Files.writeString(config.resolve("io.flux.media.protocol.gb28181.cfg"),
                "bind.address=127.0.0.1\nbind.port=" + freePort() + "\n");
        for (Map.Entry<String, String> e : extraConfig.entrySet()) {
            Files.writeString(config.resolve(e.getKey()), e.getValue());
        }
    }

    public ServerProcess start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("runtime/bin").resolve(launcher).toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
        pb.environment().remove("FLUX_ADMIN_TOKEN");
        pb.environment().putAll(environment);
        pb.environment().put("FLUX_DATA_DIR", work.resolve("data").toString());
        pb.environment().put("FLUX_CONFIG_DIR", work.resolve("config").toString());
        process = pb.start();
        awaitHealthy(Duration.ofSeconds(90));
        return this;
    }

    private void awaitHealthy(Duration timeout) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + "; see " + work.resolve("server.log"));
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IOException("server not healthy within " + timeout + "; see " + work.resolve("server.log"));
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for the orderly stop. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not stop within 60 s after SIGTERM");
        }
        return process.exitValue();
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public Path work() {
        return work;
    }

    /** Everything the process wrote so far (console and log). */
    public String log() throws IOException {
        return Files.readString(work.resolve("server.log"), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    /** Removes a test's work directory from an earlier run. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
