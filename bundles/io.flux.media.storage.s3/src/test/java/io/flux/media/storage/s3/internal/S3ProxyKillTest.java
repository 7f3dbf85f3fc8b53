package io.flux.media.storage.s3.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.storage.StorageObject;
import io.flux.media.testing.Configs;

/**
 * A private S3Proxy process (the jar scripts/s3proxy.sh downloaded, {@code FLUX_TEST_S3PROXY_JAR}) killed in
 * the middle of a multipart upload: the object is whole or absent, never partial, and the next write works.
 */
class S3ProxyKillTest {

    private static final int MIB = 1024 * 1024;
    private static final String ACCESS = "kill-test";
    private static final String SECRET = UUID.randomUUID().toString();

    @TempDir
    Path dir;
    private Path jar;
    private int port;
    private Process proxy;
    private S3StorageBackend backend;

    @BeforeEach
    void setUp() throws Exception {
        String j = System.getenv("FLUX_TEST_S3PROXY_JAR");
        if (j == null || j.isBlank() || !Files.isRegularFile(Path.of(j))) {
            String how = "FLUX_TEST_S3PROXY_JAR is not set; run scripts/s3proxy.sh start and "
                    + "eval \"$(scripts/s3proxy.sh env)\"";
            if (System.getenv("CI") != null) {
                fail(how + " (CI is set, so the S3 tests may not be skipped)");
            }
            assumeTrue(false, how);
        }
        jar = Path.of(j);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("data/bucket"));
        Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS,
                "s3proxy.credential=" + SECRET,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("data")) + "\n");
        startProxy();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (backend != null) {
            backend.deactivate();
        }
        killProxy();
    }

    private void startProxy() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        proxy = new ProcessBuilder(java, "-jar", jar.toString(), "--properties",
                dir.resolve("s3proxy.properties").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("s3proxy.log").toFile()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 403 || r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!proxy.isAlive()) {
                fail("S3Proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
            }
            if (Instant.now().isAfter(deadline)) {
                fail("S3Proxy did not answer within 60 s");
            }
            Thread.sleep(100); // polling interval of the readiness wait, not synchronisation
        }
    }

    private void killProxy() throws InterruptedException {
        if (proxy != null && proxy.isAlive()) {
            proxy.destroyForcibly();
            proxy.waitFor();
        }
    }

    private S3StorageBackend backend() {
        Map<String, Object> m = new HashMap<>();
        m.put("endpoint", "http://127.0.0.1:" + port);
        m.put("bucket", "bucket");
        m.put("access_key", ACCESS);
        m.put("_secret_key", SECRET);
        m.put("prefix", "rec");
        m.put("max_retries", 2);
        m.put("part_size_bytes", 5 * MIB);
        m.put("connect_timeout_ms", 1000);
        return new S3StorageBackend(Configs.of(S3StorageBackend.Config.class, m), Duration.ofMillis(10),
                Duration.ofMillis(100));
    }

    /** Passes {@code data} through and runs {@code action} once, after {@code after} bytes. */
    private static InputStream interrupting(byte[] data, long after, ThrowingRunnable action) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            private long read;
            private boolean done;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!done && read >= after) {
                    done = true;
                    try {
                        action.run();
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                }
                int n = super.read(b, off, read < after ? (int) Math.min(len, after - read) : len);
                read += Math.max(0, n);
                return n;
            }
        };
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void assertWholeOrAbsent(String key, byte[] data) throws Exception {
        Optional<StorageObject> stat = backend.stat(key);
        if (stat.isPresent()) {
            assertThat(stat.get().size()).isEqualTo(data.length);
            try (InputStream in = backend.read(key, 0, -1)) {
                assertThat(S3ProxyStorageTest.sha256(in.readAllBytes())).isEqualTo(S3ProxyStorageTest.sha256(data));
            }
        }
    }

    @Test
    void serverKilledMidUploadLeavesNoPartialObject() throws Exception {
        backend = backend();
        backend.cleanup().get();
        byte[] data = S3ProxyStorageTest.random(23 * MIB, 7);

        assertThatThrownBy(() -> backend.write("seg/000001.mp4", interrupting(data, 12 * MIB, this::killProxy)))
                .isInstanceOf(IOException.class).hasMessageContaining("UploadPart");

        startProxy();
        assertThat(backend.stat("seg/000001.mp4")).isEmpty();
        // The abort could not reach the dead server; the next activation cleans the upload up.
        backend.deactivate();
        backend = backend();
        backend.cleanup().get();
        assertThat(backend.store().incompleteUploads()).isEmpty();

        assertThat(backend.write("seg/000001.mp4", new ByteArrayInputStream(data))).isEqualTo(data.length);
        assertWholeOrAbsent("seg/000001.mp4", data);
        assertThat(backend.stat("seg/000001.mp4")).isPresent();
    }

    @Test
    void serverRestartedMidUploadGivesAWholeObjectOrNone() throws Exception {
        backend = backend();
        backend.cleanup().get();
        byte[] data = S3ProxyStorageTest.random(23 * MIB, 8);

        try {
            long written = backend.write("seg/000002.mp4", interrupting(data, 12 * MIB, () -> {
                killProxy();
                startProxy();
            }));
            assertThat(written).isEqualTo(data.length);
        } catch (IOException e) {
            // Failing cleanly is allowed; a partial object is not.
            assertThat(backend.store().incompleteUploads()).isEmpty();
        }
        assertWholeOrAbsent("seg/000002.mp4", data);

        byte[] next = S3ProxyStorageTest.random(11 * MIB, 9);
        assertThat(backend.write("seg/000003.mp4", new ByteArrayInputStream(next))).isEqualTo(next.length);
        assertWholeOrAbsent("seg/000003.mp4", next);
        assertThat(backend.store().incompleteUploads()).isEmpty();
    }
}
