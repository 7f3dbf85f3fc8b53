package io.flux.media.storage.s3.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * Signed S3 requests over the JDK HTTP client, with retries. Each attempt is signed afresh (new
 * {@code x-amz-date}). Server errors, throttling, 408/429 and I/O errors are retried with backoff; other
 * client errors fail at once with an {@link S3Exception} naming S3's error code.
 */
final class S3Client {

    private static final Logger LOG = LoggerFactory.getLogger(S3Client.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** Where the bucket is and how requests reach it. */
    record Endpoint(URI endpoint, String region, String bucket, boolean pathStyle) {

        Endpoint {
            Objects.requireNonNull(endpoint, "endpoint");
            String scheme = endpoint.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be http(s)://host[:port], got '" + endpoint + "'");
            }
            String path = endpoint.getRawPath();
            if (path != null && !path.isEmpty() && !path.equals("/") || endpoint.getRawQuery() != null) {
                throw new IllegalArgumentException("endpoint must not have a path or query, got '" + endpoint + "'");
            }
            if (bucket == null || bucket.isBlank() || bucket.contains("/")) {
                throw new IllegalArgumentException("bucket must be a bucket name, got '" + bucket + "'");
            }
            if (region == null || region.isBlank()) {
                throw new IllegalArgumentException("region must not be empty");
            }
        }

        /** The Host header the JDK client sends for this endpoint: the port only when it is not the default. */
        String host() {
            String host = pathStyle ? endpoint.getHost() : bucket + "." + endpoint.getHost();
            int port = endpoint.getPort();
            boolean defaultPort = port == -1 || port == 80 && "http".equals(endpoint.getScheme())
                    || port == 443 && "https".equals(endpoint.getScheme());
            return defaultPort ? host : host + ":" + port;
        }

        /** The encoded path of an object ({@code key} non-null) or of the bucket. */
        String path(String key) {
            String k = key == null ? "" : SigV4.uriEncode(key, true);
            return pathStyle ? "/" + bucket + (key == null ? "" : "/" + k) : "/" + k;
        }
    }

    /** One request; the payload hash is computed once for all attempts. */
    record Request(String method, String key, Map<String, String> query, Map<String, String> headers, byte[] body,
            int offset, int length, String payloadHash) {

        static Request of(String method, String key, Map<String, String> query) {
            return new Request(method, key, query, Map.of(), null, 0, 0, SigV4.EMPTY_SHA256);
        }

        static Request withBody(String method, String key, Map<String, String> query, byte[] body, int offset,
                int length) {
            return new Request(method, key, query, Map.of(), body, offset, length,
                    SigV4.sha256Hex(body, offset, length));
        }

        Request header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Request(method, key, query, h, body, offset, length, payloadHash);
        }
    }

    private final Endpoint endpoint;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Clock clock;
    private final AtomicLong attempts = new AtomicLong();
    private volatile Credentials credentials;
    private volatile RetryPolicy retry;

    S3Client(Endpoint endpoint, Credentials credentials, RetryPolicy retry, Duration connectTimeout,
            Duration requestTimeout, Clock clock) {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.retry = retry;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        // HTTP/1.1: S3-compatible servers rarely speak h2c, and the upgrade dance only costs a round trip.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Endpoint endpoint() {
        return endpoint;
    }

    void credentials(Credentials c) {
        this.credentials = c;
    }

    void retry(RetryPolicy r) {
        this.retry = r;
    }

    RetryPolicy retry() {
        return retry;
    }

    /** HTTP requests sent so far, retries included. */
    long attempts() {
        return attempts.get();
    }

    void close() {
        http.shutdownNow();
    }

    /**
     * Sends {@code r} with retries and returns the answer when it is a 2xx or {@code expected} accepts its
     * status; throws {@link S3Exception} otherwise. With {@code errorIn200}, a 200 whose body is an S3
     * {@code <Error>} counts as that error (CompleteMultipartUpload answers this way).
     */
    HttpResponse<byte[]> call(String what, Request r, IntPredicate expected, boolean errorIn200) throws IOException {
        return send(what, r, HttpResponse.BodyHandlers.ofByteArray(), expected, errorIn200);
    }

    /** Like {@link #call} with the body as a stream for the caller to consume and close. */
    HttpResponse<InputStream> stream(String what, Request r, IntPredicate expected) throws IOException {
        return send(what, r, HttpResponse.BodyHandlers.ofInputStream(), expected, false);
    }

    /** One attempt, no retry (health checks must stay cheap). */
    HttpResponse<byte[]> once(Request r) throws IOException {
        attempts.incrementAndGet();
        try {
            return http.send(build(r), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private <T> HttpResponse<T> send(String what, Request r, BodyHandler<T> handler, IntPredicate expected,
            boolean errorIn200) throws IOException {
        RetryPolicy policy = retry;
        for (int attempt = 0;; attempt++) {
            HttpResponse<T> response;
            attempts.incrementAndGet();
            try {
                response = http.send(build(r), handler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(what + " interrupted");
            } catch (IOException e) {
                if (attempt < policy.maxRetries()) {
                    backoff(what, attempt + 1, policy, e.toString());
                    continue;
                }
                throw new IOException(what + " failed after " + (attempt + 1) + " attempts: " + e, e);
            }
            int status = response.statusCode();
            boolean ok = status / 100 == 2 || expected.test(status);
            if (ok && !(errorIn200 && status == 200 && isError(response.body()))) {
                return response;
            }
            S3Exception error = error(what, status, drain(response.body()));
            if (error.retryable() && attempt < policy.maxRetries()) {
                backoff(what, attempt + 1, policy, "HTTP " + status + " " + error.code());
                continue;
            }
            throw error;
        }
    }

    private HttpRequest build(Request r) {
        Instant now = clock.instant();
        String amzDate = SigV4.AMZ_DATE.format(now);
        String path = endpoint.path(r.key());
        String query = SigV4.canonicalQuery(r.query());
        Map<String, String> signed = new LinkedHashMap<>(r.headers());
        signed.put("host", endpoint.host());
        signed.put("x-amz-date", amzDate);
        signed.put("x-amz-content-sha256", r.payloadHash());
        String authorization = SigV4.authorization(credentials, now, endpoint.region(), r.method(), path,
                r.query(), signed, r.payloadHash());
        URI uri = URI.create(endpoint.endpoint().getScheme() + "://" + endpoint.host() + path
                + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.BodyPublisher body = r.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(r.body(), r.offset(), r.length());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout).method(r.method(), body)
                .header("Authorization", authorization);
        signed.forEach((k, v) -> {
            if (!k.equals("host")) {
                b.header(k, v);
            }
        });
        return b.build();
    }

    private void backoff(String what, int retry, RetryPolicy policy, String cause) throws InterruptedIOException {
        long delay = policy.delayMillis(retry);
        LOG.debug("{}: {}; retry {} of {} in {} ms", what, cause, retry, policy.maxRetries(), delay);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted while waiting to retry");
        }
    }

    private static boolean isError(Object body) {
        if (body instanceof byte[] b) {
            String head = new String(b, 0, Math.min(b.length, 256), StandardCharsets.UTF_8);
            return head.contains("<Error>") || head.contains("<Error ");
        }
        return false;
    }

    private static byte[] drain(Object body) {
        if (body instanceof byte[] b) {
            return b;
        }
        if (body instanceof InputStream in) {
            try (in) {
                return in.readNBytes(MAX_ERROR_BODY);
            } catch (IOException e) {
                return new byte[0];
            }
        }
        return new byte[0];
    }

    static S3Exception error(String what, int status, byte[] body) {
        String code = null;
        String message = null;
        if (body != null && body.length > 0) {
            try {
                Element root = Xml.parse(body);
                if (root.getTagName().equals("Error")) {
                    code = Xml.text(root, "Code");
                    message = Xml.text(root, "Message");
                }
            } catch (IOException e) {
                message = "unreadable error body";
            }
        }
        if (code == null || code.isBlank()) {
            code = switch (status) {
                case 400 -> "BadRequest";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "NotFound";
                case 408 -> "RequestTimeout";
                case 429 -> "TooManyRequests";
                case 503 -> "ServiceUnavailable";
                default -> "HTTP" + status;
            };
        }
        return new S3Exception(what, status, code, message);
    }
}
