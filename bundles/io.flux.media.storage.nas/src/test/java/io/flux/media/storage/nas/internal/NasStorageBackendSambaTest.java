package io.flux.media.storage.nas.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.StorageMetrics;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

/** Against the real Samba server of scripts/samba.sh (FLUX_TEST_SMB_* environment). */
class NasStorageBackendSambaTest {

    private String url;
    private String user;
    private String password;
    private String script;
    private final List<NasStorageBackend> backends = new ArrayList<>();
    private final FakeMetricsRegistry registry = new FakeMetricsRegistry();

    @BeforeEach
    void requireSamba() {
        url = System.getenv("FLUX_TEST_SMB_URL");
        if (url == null || url.isBlank()) {
            String how = "FLUX_TEST_SMB_URL is not set; run scripts/samba.sh start and eval \"$(scripts/samba.sh env)\"";
            if (System.getenv("CI") != null) {
                fail(how + " (CI is set, so the Samba tests may not be skipped)");
            }
            assumeTrue(false, how);
        }
        user = System.getenv("FLUX_TEST_SMB_USER");
        password = System.getenv("FLUX_TEST_SMB_PASSWORD");
        script = System.getenv("FLUX_TEST_SMB_SCRIPT");
    }

    @AfterEach
    void closeBackends() {
        backends.forEach(NasStorageBackend::deactivate);
    }

    private Map<String, Object> config(String pw) {
        Map<String, Object> c = new HashMap<>();
        c.put("share_url", url + "/test-" + UUID.randomUUID());
        c.put("user", user);
        c.put("_password", pw);
        c.put("connect_timeout_ms", 2000);
        c.put("io_timeout_ms", 5000);
        c.put("reconnect_min_ms", 100L);
        c.put("reconnect_max_ms", 500L);
        c.put("min_free_bytes", 0L);
        return c;
    }

    private NasStorageBackend backend(Map<String, Object> config) {
        NasStorageBackend b = new NasStorageBackend(Configs.of(NasStorageBackend.Config.class, config));
        b.bindMetrics(registry);
        backends.add(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String readAll(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void writesReadsRangesStatsAndDeletes() throws IOException {
        NasStorageBackend nas = backend(config(password));
        assertThat(nas.write("cam/1/seg/000001.mp4", new ByteArrayInputStream(bytes("0123456789")))).isEqualTo(10);

        assertThat(readAll(nas.read("cam/1/seg/000001.mp4", 0, -1))).isEqualTo("0123456789");
        assertThat(readAll(nas.read("cam/1/seg/000001.mp4", 3, 4))).isEqualTo("3456");
        assertThat(readAll(nas.read("cam/1/seg/000001.mp4", 8, 100))).isEqualTo("89");
        assertThat(readAll(nas.read("cam/1/seg/000001.mp4", 10, -1))).isEmpty();
        assertThatThrownBy(() -> nas.read("cam/1/seg/000001.mp4", 11, -1)).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> nas.read("cam/1/seg/missing.mp4", 0, -1)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> nas.read("cam/1", 0, -1)).isInstanceOf(NoSuchFileException.class);

        StorageObject o = nas.stat("cam/1/seg/000001.mp4").orElseThrow();
        assertThat(o.size()).isEqualTo(10);
        assertThat(o.lastModified()).isNotNull();
        assertThat(nas.stat("cam/1/seg")).isEmpty();
        assertThat(nas.stat("nope")).isEmpty();

        assertThat(nas.delete("cam/1/seg/000001.mp4")).isTrue();
        assertThat(nas.delete("cam/1/seg/000001.mp4")).isFalse();
        assertThat(nas.stat("cam/1/seg/000001.mp4")).isEmpty();
        // Empty parents were pruned: nothing left to list.
        assertThat(nas.list("", null, 10).objects()).isEmpty();
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "nas")).isEqualTo(10);
        assertThatThrownBy(() -> nas.write("../escape", new ByteArrayInputStream(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.value(StorageMetrics.ERRORS, "nas", "write", "invalid_key")).isEqualTo(1);
    }

    @Test
    void listsInKeyOrderPageByPage() throws IOException {
        NasStorageBackend nas = backend(config(password));
        List<String> keys = List.of("a-c", "a/b/1", "a/b/2", "a/c", "b", "b0/x", "c/d/e/f");
        for (String k : keys.reversed()) {
            nas.write(k, new ByteArrayInputStream(bytes(k)));
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            StoragePage page = nas.list("", token, 2);
            page.objects().forEach(o -> seen.add(o.key()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(seen).containsExactlyElementsOf(keys.stream().sorted().toList());
        assertThat(pages).isEqualTo(4);
        assertThat(nas.list("a/", null, 100).objects()).extracting(StorageObject::key)
                .containsExactly("a/b/1", "a/b/2", "a/c");
        assertThat(nas.list("a", null, 100).objects()).extracting(StorageObject::key)
                .containsExactly("a-c", "a/b/1", "a/b/2", "a/c");
        assertThat(nas.list("b", "b", 100).objects()).extracting(StorageObject::key).containsExactly("b0/x");
        assertThat(nas.list("a/b/1", null, 100).objects().get(0).size()).isEqualTo(5);
    }

    @Test
    void replacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        NasStorageBackend nas = backend(config(password));
        nas.write("x/seg.mp4", new ByteArrayInputStream(bytes("old content")));
        // SMB (Windows semantics) refuses to rename over a file someone holds open: the replace fails
        // cleanly and the reader keeps the old object whole.
        try (InputStream reader = nas.read("x/seg.mp4", 0, -1)) {
            assertThatThrownBy(() -> nas.write("x/seg.mp4", new ByteArrayInputStream(bytes("new"))))
                    .isInstanceOf(IOException.class).hasMessageContaining("STATUS_ACCESS_DENIED");
            assertThat(new String(reader.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("old content");
        }
        nas.write("x/seg.mp4", new ByteArrayInputStream(bytes("new")));
        assertThat(readAll(nas.read("x/seg.mp4", 0, -1))).isEqualTo("new");

        // A write whose source fails leaves the previous object and no temporary file.
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 100_000) {
                    throw new IOException("source broke");
                }
                return 'z';
            }
        };
        assertThatThrownBy(() -> nas.write("x/seg.mp4", failing)).hasMessageContaining("source broke");
        assertThat(readAll(nas.read("x/seg.mp4", 0, -1))).isEqualTo("new");
        assertThat(nas.list("", null, 100).objects()).extracting(StorageObject::key).containsExactly("x/seg.mp4");
        // list hides temporary names; check the directory itself holds none either.
        var share = nas.connector().share();
        assertThat(share.list(nas.connector().url().path("x"))).extracting(i -> i.getFileName())
                .containsExactlyInAnyOrder(".", "..", "seg.mp4");
    }

    @Test
    void writesAndReadsBackA50MegabyteSegment() throws Exception {
        NasStorageBackend nas = backend(config(password));
        byte[] data = new byte[50 * 1024 * 1024 + 12345];
        new Random(42).nextBytes(data);
        assertThat(nas.write("big/segment.ts", new ByteArrayInputStream(data))).isEqualTo(data.length);
        assertThat(nas.stat("big/segment.ts").orElseThrow().size()).isEqualTo(data.length);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        expected.update(data);
        try (InputStream in = nas.read("big/segment.ts", 0, -1)) {
            byte[] buf = new byte[100_000];
            int n;
            while ((n = in.read(buf)) > 0) {
                actual.update(buf, 0, n);
            }
        }
        assertThat(actual.digest()).isEqualTo(expected.digest());
        try (InputStream in = nas.read("big/segment.ts", 30_000_000, 1000)) {
            byte[] part = in.readAllBytes();
            assertThat(part).hasSize(1000);
            assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(data, 30_000_000, 30_001_000));
        }
    }

    @Test
    void wrongCredentialsFailClearlyWithoutARetryStormAndRecoverOnUpdate() throws IOException {
        Map<String, Object> c = config(password + "-wrong");
        c.put("reconnect_min_ms", 60_000L);
        c.put("reconnect_max_ms", 120_000L);
        NasStorageBackend nas = backend(c);
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> nas.write("k", new ByteArrayInputStream(bytes("v"))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("wrong user, domain or password")
                    .hasMessageNotContaining(password);
        }
        assertThat(nas.connector().attempts()).isEqualTo(1);
        StorageHealth h = nas.health();
        assertThat(h.available()).isFalse();
        assertThat(h.message()).contains("wrong user, domain or password");
        assertThat(nas.connector().attempts()).isEqualTo(1);
        assertThat(registry.value(StorageMetrics.ERRORS, "nas", "write", "auth")).isEqualTo(20);

        // Hot update of the password: the next call logs in at once, backoff or not.
        c.put("_password", password);
        nas.modified(Configs.of(NasStorageBackend.Config.class, c));
        assertThat(nas.write("k", new ByteArrayInputStream(bytes("v")))).isEqualTo(1);
        assertThat(nas.connector().attempts()).isEqualTo(2);
    }

    @Test
    void healthReportsFreeSpace() {
        Map<String, Object> c = config(password);
        NasStorageBackend nas = backend(c);
        StorageHealth h = nas.health();
        assertThat(h.available()).as(h.message()).isTrue();
        assertThat(h.freeBytes()).isPositive();
        assertThat(h.totalBytes()).isGreaterThanOrEqualTo(h.freeBytes());

        c.put("min_free_bytes", Long.MAX_VALUE);
        nas.modified(Configs.of(NasStorageBackend.Config.class, c));
        assertThat(nas.health().available()).isFalse();
        assertThat(nas.health().message()).contains("below min.free.bytes");
        assertThatThrownBy(() -> nas.write("k", new ByteArrayInputStream(bytes("v"))))
                .hasMessageContaining("below min.free.bytes");
        assertThat(registry.value(StorageMetrics.ERRORS, "nas", "write", "disk_full")).isEqualTo(1);
    }

    @Test
    void serverKilledMidWriteFailsTheWriteAndTheNextWriteReconnects() throws Exception {
        assumeTrue(script != null, "FLUX_TEST_SMB_SCRIPT is not set (scripts/samba.sh env prints it)");
        NasStorageBackend nas = backend(config(password));
        nas.write("seg/000001.ts", new ByteArrayInputStream(bytes("before")));

        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        InputStream source = new InputStream() {
            long sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent >= 16L * 1024 * 1024) {
                    return -1;
                }
                if (sent >= 4L * 1024 * 1024 && halfway.getCount() > 0) {
                    halfway.countDown();
                    try {
                        killed.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                int n = (int) Math.min(len, 16L * 1024 * 1024 - sent);
                sent += n;
                return n;
            }
        };
        CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> {
            try {
                return nas.write("seg/000002.ts", source);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
            run(script, "kill");
        } finally {
            killed.countDown();
        }
        try {
            assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().cause().isInstanceOf(IOException.class).hasMessageContaining("NAS write");
            // While the server is down: calls fail with an IOException, never hang.
            assertThatThrownBy(() -> nas.write("seg/000003.ts", new ByteArrayInputStream(bytes("x"))))
                    .isInstanceOf(IOException.class);
            assertThat(nas.health().available()).isFalse();
        } finally {
            run(script, "start");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                nas.write("seg/000003.ts", new ByteArrayInputStream(bytes("after")));
                last = null;
                break;
            } catch (IOException e) {
                last = e; // Backing off until the server answers again.
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
        assertThat(last).as("write after restart").isNull();
        assertThat(readAll(nas.read("seg/000003.ts", 0, -1))).isEqualTo("after");
        assertThat(readAll(nas.read("seg/000001.ts", 0, -1))).isEqualTo("before");
        // The interrupted object never became visible.
        assertThat(nas.stat("seg/000002.ts")).isEmpty();
        assertThat(nas.health().available()).isTrue();
    }

    private static void run(String script, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script, command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
