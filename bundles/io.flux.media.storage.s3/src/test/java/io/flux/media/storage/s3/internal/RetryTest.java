package io.flux.media.storage.s3.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeMetricsRegistry;

/**
 * The retry policy against a scripted fault server: each request takes the next scripted answer (the last
 * one repeats), and every request is recorded.
 */
class RetryTest {

    private static final String SECRET = "retry-test-secret";

    private record Answer(int status, String body, Map<String, String> headers) {
    }

    private record Seen(String method, String uri, String authorization, String contentSha256, byte[] body) {
    }

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private S3StorageBackend backend;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("x-amz-content-sha256"), body));
            Answer a;
            synchronized (script) {
                a = script.size() > 1 ? script.poll() : script.peek();
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(a.status(), head || out.length == 0 ? -1 : out.length);
            if (!head && out.length > 0) {
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.deactivate();
        }
        server.stop(0);
    }

    private void answer(int status, String body, Map<String, String> headers) {
        script.add(new Answer(status, body, headers));
    }

    private static String error(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>1</RequestId></Error>";
    }

    private S3StorageBackend backend(String endpoint, int maxRetries) throws Exception {
        // The activation cleanup lists multipart uploads: answer it, then forget it.
        answer(200, "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>",
                Map.of());
        Map<String, Object> m = new HashMap<>();
        m.put("endpoint", endpoint);
        m.put("bucket", "b");
        m.put("access_key", "AK");
        m.put("_secret_key", SECRET);
        m.put("max_retries", maxRetries);
        backend = new S3StorageBackend(Configs.of(S3StorageBackend.Config.class, m), Duration.ofMillis(1),
                Duration.ofMillis(20));
        backend.cleanup().handle((n, e) -> null).get();
        script.clear();
        seen.clear();
        return backend;
    }

    private String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void retriesSlowDownThenSucceedsWithASignedHashedPayload() throws Exception {
        S3StorageBackend s3 = backend(endpoint(), 3);
        answer(503, error("SlowDown", "Please reduce your request rate."), Map.of());
        answer(503, error("SlowDown", "Please reduce your request rate."), Map.of());
        answer(200, "", Map.of("ETag", "\"x\""));

        assertThat(s3.write("a/b c", new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(5);

        assertThat(seen).hasSize(3);
        Seen last = seen.get(2);
        assertThat(last.method()).isEqualTo("PUT");
        assertThat(last.uri()).isEqualTo("/b/a/b%20c");
        assertThat(last.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AK/")
                .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date").doesNotContain(SECRET);
        assertThat(last.contentSha256()).isEqualTo(SigV4.sha256Hex("hello"));
        assertThat(new String(last.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void retriesThrottlingTimeoutsAndServerErrors() throws Exception {
        S3StorageBackend s3 = backend(endpoint(), 5);
        answer(429, "", Map.of());
        answer(408, "", Map.of());
        answer(400, error("RequestTimeout", "Your socket connection was not read from"), Map.of());
        answer(500, error("InternalError", "We encountered an internal error."), Map.of());
        answer(200, "abc", Map.of());

        // A GET: HEAD answers carry no body, so they cannot name a code such as RequestTimeout.
        try (InputStream in = s3.read("k", 0, -1)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
        }
        assertThat(seen).hasSize(5).allMatch(s -> s.method().equals("GET"));
    }

    @Test
    void neverRetriesOtherClientErrors() throws Exception {
        S3StorageBackend s3 = backend(endpoint(), 5);
        FakeMetricsRegistry registry = new FakeMetricsRegistry();
        s3.bindMetrics(registry);
        answer(403, error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist."), Map.of());

        assertThatThrownBy(() -> s3.write("k", new ByteArrayInputStream(new byte[3])))
                .isInstanceOf(S3Exception.class)
                .hasMessageContaining("HTTP 403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist.")
                .hasMessageContaining("'k'")
                .hasMessageNotContaining(SECRET);
        assertThat(seen).hasSize(1);
        assertThat(registry.value("storage_errors_total", "s3", "write", "auth")).isEqualTo(1);

        script.clear();
        seen.clear();
        answer(404, error("NoSuchBucket", "The specified bucket does not exist"), Map.of());
        assertThatThrownBy(() -> s3.write("k", new ByteArrayInputStream(new byte[3])))
                .hasMessageContaining("NoSuchBucket");
        assertThat(seen).hasSize(1);
    }

    @Test
    void givesUpAfterMaxRetries() throws Exception {
        S3StorageBackend s3 = backend(endpoint(), 2);
        answer(503, error("ServiceUnavailable", "down"), Map.of());

        assertThatThrownBy(() -> s3.write("k", new ByteArrayInputStream(new byte[3])))
                .isInstanceOf(S3Exception.class).hasMessageContaining("HTTP 503 ServiceUnavailable");
        assertThat(seen).hasSize(3);
    }

    @Test
    void retriesIoErrorsThenFailsNamingTheCause() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // The activation cleanup fails too (nothing listens); that is logged, not thrown.
        Map<String, Object> m = new HashMap<>();
        m.put("endpoint", "http://127.0.0.1:" + closedPort);
        m.put("bucket", "b");
        m.put("max_retries", 2);
        backend = new S3StorageBackend(Configs.of(S3StorageBackend.Config.class, m), Duration.ofMillis(1),
                Duration.ofMillis(20));
        backend.cleanup().handle((n, e) -> null).get();
        long before = backend.store().client().attempts();

        assertThatThrownBy(() -> backend.stat("k")).isInstanceOf(IOException.class)
                .hasMessageContaining("failed after 3 attempts");
        assertThat(backend.store().client().attempts() - before).isEqualTo(3);
        assertThat(backend.health().available()).isFalse();
    }

    @Test
    void retriesACompleteAnsweredWithAnErrorInA200() throws Exception {
        multipartBackend(3);
        answer(200, "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>",
                Map.of());
        answer(200, "", Map.of("ETag", "\"p1\""));
        answer(200, "", Map.of("ETag", "\"p2\""));
        answer(200, error("InternalError", "try again"), Map.of());
        answer(200, "<CompleteMultipartUploadResult><ETag>\"x\"</ETag></CompleteMultipartUploadResult>", Map.of());
        byte[] data = new byte[S3Store.MIN_PART_SIZE * 2 - 1];

        assertThat(backend.write("k", new ByteArrayInputStream(data))).isEqualTo(data.length);

        assertThat(seen).extracting(Seen::method).containsExactly("POST", "PUT", "PUT", "POST", "POST");
        assertThat(seen.get(1).uri()).contains("partNumber=1").contains("uploadId=U1");
        assertThat(seen.get(2).body()).hasSize(S3Store.MIN_PART_SIZE - 1);
        assertThat(new String(seen.get(4).body(), StandardCharsets.UTF_8)).isEqualTo(
                "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;p1&quot;</ETag></Part>"
                        + "<Part><PartNumber>2</PartNumber><ETag>&quot;p2&quot;</ETag></Part>"
                        + "</CompleteMultipartUpload>");
    }

    /** A backend with the smallest part size, its activation cleanup answered and forgotten. */
    private void multipartBackend(int maxRetries) throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("endpoint", endpoint());
        m.put("bucket", "b");
        m.put("max_retries", maxRetries);
        m.put("part_size_bytes", S3Store.MIN_PART_SIZE);
        answer(200, "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>",
                Map.of());
        backend = new S3StorageBackend(Configs.of(S3StorageBackend.Config.class, m), Duration.ofMillis(1),
                Duration.ofMillis(20));
        backend.cleanup().handle((n, e) -> null).get();
        script.clear();
        seen.clear();
    }

    @Test
    void abortsTheUploadWhenAPartFails() throws Exception {
        multipartBackend(1);
        answer(200, "<InitiateMultipartUploadResult><UploadId>U9</UploadId></InitiateMultipartUploadResult>",
                Map.of());
        answer(500, error("InternalError", "broken"), Map.of());
        answer(500, error("InternalError", "broken"), Map.of());
        answer(204, "", Map.of());

        assertThatThrownBy(() -> backend.write("k", new ByteArrayInputStream(new byte[S3Store.MIN_PART_SIZE + 1])))
                .hasMessageContaining("UploadPart 1").hasMessageContaining("InternalError");
        assertThat(seen).extracting(Seen::method).containsExactly("POST", "PUT", "PUT", "DELETE");
        assertThat(seen.get(3).uri()).contains("uploadId=U9");
    }

    @Test
    void backoffCeilingGrowsExponentiallyUpToTheMaximum() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(p.ceilingMillis(1)).isEqualTo(100);
        assertThat(p.ceilingMillis(2)).isEqualTo(200);
        assertThat(p.ceilingMillis(4)).isEqualTo(800);
        assertThat(p.ceilingMillis(5)).isEqualTo(1000);
        assertThat(p.ceilingMillis(60)).isEqualTo(1000);
        for (int i = 0; i < 100; i++) {
            assertThat(p.delayMillis(3)).isBetween(0L, 400L);
        }
    }
}
