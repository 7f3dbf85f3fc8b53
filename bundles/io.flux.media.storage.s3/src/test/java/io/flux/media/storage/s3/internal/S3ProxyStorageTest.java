package io.flux.media.storage.s3.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.testing.FakeMetricsRegistry;

/** The backend against a real S3 API server (S3Proxy, scripts/s3proxy.sh). */
class S3ProxyStorageTest {

    private static final int MIB = 1024 * 1024;

    private S3TestServer server;
    private final List<S3StorageBackend> backends = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = S3TestServer.fromEnvironment();
    }

    @AfterEach
    void tearDown() {
        backends.forEach(S3StorageBackend::deactivate);
    }

    private S3StorageBackend backend(Map<String, Object> overrides) {
        S3StorageBackend b = server.backend(overrides);
        backends.add(b);
        return b;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void writesSmallObjectsAndReadsRanges() throws Exception {
        S3StorageBackend s3 = backend(Map.of());
        FakeMetricsRegistry registry = new FakeMetricsRegistry();
        s3.bindMetrics(registry);
        byte[] data = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);

        assertThat(s3.write("dev/ch 1/segments/000001.mp4", new ByteArrayInputStream(data))).isEqualTo(20);

        try (InputStream in = s3.read("dev/ch 1/segments/000001.mp4", 0, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        try (InputStream in = s3.read("dev/ch 1/segments/000001.mp4", 5, 3)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("567");
        }
        try (InputStream in = s3.read("dev/ch 1/segments/000001.mp4", 15, -1)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("fghij");
        }
        try (InputStream in = s3.read("dev/ch 1/segments/000001.mp4", 18, 100)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ij");
        }
        try (InputStream in = s3.read("dev/ch 1/segments/000001.mp4", 20, -1)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThatThrownBy(() -> s3.read("dev/ch 1/segments/000001.mp4", 21, -1)).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> s3.read("dev/missing", 0, -1)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> s3.read("../escape", 0, -1)).isInstanceOf(IllegalArgumentException.class);

        StorageObject stat = s3.stat("dev/ch 1/segments/000001.mp4").orElseThrow();
        assertThat(stat.size()).isEqualTo(20);
        assertThat(stat.key()).isEqualTo("dev/ch 1/segments/000001.mp4");
        assertThat(stat.lastModified()).isAfter(Instant.now().minus(Duration.ofHours(1)));
        assertThat(s3.stat("dev/missing")).isEmpty();

        assertThat(registry.value("storage_write_bytes_total", "s3")).isEqualTo(20);

        // Empty objects and replacement.
        assertThat(s3.write("empty", InputStream.nullInputStream())).isZero();
        assertThat(s3.stat("empty").orElseThrow().size()).isZero();
        s3.write("dev/ch 1/segments/000001.mp4", new ByteArrayInputStream(new byte[] {7}));
        try (InputStream in = s3.read("dev/ch 1/segments/000001.mp4", 0, -1)) {
            assertThat(in.readAllBytes()).containsExactly(7);
        }
    }

    @Test
    void writesLargeObjectsAsMultipartUploads() throws Exception {
        S3StorageBackend s3 = backend(Map.of("part_size_bytes", 8 * MIB));
        byte[] data = random(40 * MIB + 123, 1);
        long attempts = s3.store().client().attempts();

        assertThat(s3.write("big/segment.mp4", new ByteArrayInputStream(data))).isEqualTo(data.length);

        // Create, six parts (five of 8 MiB and the tail), complete.
        assertThat(s3.store().client().attempts() - attempts).isGreaterThanOrEqualTo(8);

        assertThat(s3.stat("big/segment.mp4").orElseThrow().size()).isEqualTo(data.length);
        try (InputStream in = s3.read("big/segment.mp4", 0, -1)) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(data));
        }
        // A range across a part boundary.
        try (InputStream in = s3.read("big/segment.mp4", 8L * MIB - 10, 20)) {
            byte[] expected = java.util.Arrays.copyOfRange(data, 8 * MIB - 10, 8 * MIB + 10);
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
        assertThat(s3.store().incompleteUploads()).isEmpty();

        // Exactly one part is one PutObject: no multipart upload to create.
        long before = s3.store().client().attempts();
        s3.write("big/one-part", new ByteArrayInputStream(random(8 * MIB, 2)));
        assertThat(s3.store().client().attempts() - before).isEqualTo(1);
        assertThat(s3.stat("big/one-part").orElseThrow().size()).isEqualTo(8 * MIB);
    }

    @Test
    void listsPageByPageInKeyOrder() throws Exception {
        S3StorageBackend s3 = backend(Map.of());
        List<String> keys = List.of("a/3", "a/1", "a/2", "a/10", "b/1", "a/sub/x");
        for (String k : keys) {
            s3.write(k, new ByteArrayInputStream(k.getBytes(StandardCharsets.UTF_8)));
        }

        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            StoragePage page = s3.list("a/", token, 2);
            assertThat(page.objects()).hasSizeLessThanOrEqualTo(2);
            page.objects().forEach(o -> seen.add(o.key()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(seen).containsExactly("a/1", "a/10", "a/2", "a/3", "a/sub/x");
        assertThat(pages).isEqualTo(3);

        StoragePage all = s3.list("", null, 100);
        assertThat(all.objects()).extracting(StorageObject::key)
                .containsExactly("a/1", "a/10", "a/2", "a/3", "a/sub/x", "b/1");
        assertThat(all.nextToken()).isNull();
        assertThat(all.objects().get(0).size()).isEqualTo(3);
        assertThat(s3.list("a/1", null, 10).objects()).extracting(StorageObject::key).containsExactly("a/1", "a/10");
        assertThat(s3.list("c/", null, 10).objects()).isEmpty();
        assertThatThrownBy(() -> s3.list("../", null, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deletesAndSaysWhetherTheObjectExisted() throws Exception {
        S3StorageBackend s3 = backend(Map.of());
        s3.write("x/y", new ByteArrayInputStream(new byte[] {1, 2}));

        assertThat(s3.delete("x/y")).isTrue();
        assertThat(s3.stat("x/y")).isEmpty();
        assertThat(s3.delete("x/y")).isFalse();
        assertThat(s3.list("x/", null, 10).objects()).isEmpty();
    }

    @Test
    void wrongCredentialsFailClearlyWithoutRetriesAndCanBeFixedLive() throws Exception {
        S3StorageBackend s3 = backend(Map.of("_secret_key", "not-the-secret", "max_retries", 4));
        FakeMetricsRegistry registry = new FakeMetricsRegistry();
        s3.bindMetrics(registry);
        s3.cleanup().handle((n, e) -> null).get();
        long before = s3.store().client().attempts();

        assertThatThrownBy(() -> s3.write("k", new ByteArrayInputStream(new byte[10])))
                .isInstanceOf(S3Exception.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("SignatureDoesNotMatch")
                .hasMessageNotContaining("not-the-secret")
                .hasMessageNotContaining(server.secretKey());
        assertThat(s3.store().client().attempts() - before).isEqualTo(1);
        assertThat(registry.value("storage_errors_total", "s3", "write", "auth")).isEqualTo(1);
        assertThat(s3.health().available()).isFalse();
        assertThat(s3.health().message()).contains("403");

        // Hot update of the secret: the next request uses it.
        s3.modified(server.config(Map.of("max_retries", 4)));
        assertThat(s3.write("k", new ByteArrayInputStream(new byte[10]))).isEqualTo(10);
        assertThat(s3.health().available()).isTrue();
        assertThat(s3.health().freeBytes()).isEqualTo(-1);
    }

    @Test
    void abortsIncompleteUploadsLeftBeforeStart() throws Exception {
        String prefix = "test-leftovers-" + System.nanoTime();
        S3StorageBackend first = backend(Map.of("prefix", prefix));
        first.cleanup().get();
        // An upload that a crash interrupted: created, never completed.
        S3Client client = first.store().client();
        client.call("create", S3Client.Request.withBody("POST", prefix + "/crashed", Map.of("uploads", ""),
                new byte[0], 0, 0), s -> false, false);
        assertThat(first.store().incompleteUploads()).containsExactly(prefix + "/crashed");

        S3StorageBackend second = backend(Map.of("prefix", prefix));
        assertThat(second.cleanup().get()).isEqualTo(1);
        assertThat(second.store().incompleteUploads()).isEmpty();
    }

    @Test
    void abortsTheUploadWhenTheSourceFails() throws Exception {
        S3StorageBackend s3 = backend(Map.of("part_size_bytes", 5 * MIB));
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(random(20 * MIB, 3))) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > 12 * MIB) {
                    throw new IOException("camera went away");
                }
                int n = super.read(b, off, len);
                read += Math.max(0, n);
                return n;
            }
        };

        assertThatThrownBy(() -> s3.write("seg/broken.mp4", failing)).hasMessageContaining("camera went away");

        assertThat(s3.store().incompleteUploads()).isEmpty();
        assertThat(s3.stat("seg/broken.mp4")).isEmpty();
    }

    @Test
    void serverChecksHashedPayloadsAndAcceptsUnsignedOnes() throws Exception {
        S3StorageBackend s3 = backend(Map.of());
        S3Client client = s3.store().client();
        String object = s3.store().prefix() + "payload";
        byte[] body = "payload".getBytes(StandardCharsets.UTF_8);

        client.call("unsigned", new S3Client.Request("PUT", object, Map.of(), Map.of(), body, 0, body.length,
                SigV4.UNSIGNED_PAYLOAD), s -> false, false);
        assertThat(s3.stat("payload").orElseThrow().size()).isEqualTo(body.length);

        long before = client.attempts();
        assertThatThrownBy(() -> client.call("wrong hash", new S3Client.Request("PUT", object, Map.of(), Map.of(),
                body, 0, body.length, SigV4.sha256Hex("other")), s -> false, false))
                .isInstanceOf(S3Exception.class).hasMessageContaining("XAmzContentSHA256Mismatch");
        assertThat(client.attempts() - before).isEqualTo(1);
    }

    @Test
    void healthReportsAMissingBucket() {
        S3StorageBackend s3 = backend(Map.of("bucket", "no-such-bucket-" + System.nanoTime()));
        assertThat(s3.health().available()).isFalse();
        assertThat(s3.health().message()).contains("404");
    }

    @Test
    void refusesInvalidKeys() {
        S3StorageBackend s3 = backend(Map.of());
        // S3 could store "a:b" and "dir./x", but every backend refuses what an SMB share cannot (the shared
        // StorageKeys rules), so that a recording can always move to the NAS backend.
        for (String bad : List.of("", "/abs", "a//b", "a/../b", "a\\b", "trailing/", "a:b", "dir./x")) {
            assertThatThrownBy(() -> s3.write(bad, InputStream.nullInputStream()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        Map<String, Object> badPrefix = new HashMap<>();
        badPrefix.put("prefix", "a/../b");
        assertThatThrownBy(() -> server.backend(badPrefix)).isInstanceOf(IllegalArgumentException.class);
    }
}
