package io.flux.media.protocol.gb28181.remote.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.rest.ApiException;

/**
 * HTTP to one {@code flux-gb28181d} node: the node token as bearer, a {@code traceparent} on every call, timeouts on
 * every call, retries with backoff for GET only, and the node's answers turned back into the errors the API would
 * have given had the node been embedded.
 */
final class NodeClient {

    /** Hot settings, replaced as a whole when the configuration changes. */
    record Settings(String token, Duration requestTimeout, int getRetries, Duration retryBackoff) {
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // A newer node may add fields; the DTO records are shared, so nothing of ours can drift.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private static final Logger LOG = LoggerFactory.getLogger(NodeClient.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final URI base;
    private final String name;
    private final HttpClient http;
    private volatile Settings settings;

    NodeClient(URI base, HttpClient http, Settings settings) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.name = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.http = http;
        this.settings = settings;
    }

    /** The node as messages name it: its base URL. */
    String name() {
        return name;
    }

    void settings(Settings settings) {
        this.settings = settings;
    }

    /** GET {@code api/v1/<path>}, retried on transport failures. */
    <T> T get(String path, JavaType type) {
        HttpResponse<byte[]> r = exchange(request(path).GET(), true);
        return read(r, type, "GET " + path);
    }

    <T> T get(String path, Class<T> type) {
        return get(path, JSON.constructType(type));
    }

    /** POST a JSON body to {@code api/v1/<path>}; never retried (the node may have acted on the first try). */
    <T> T post(String path, Object body, Class<T> type) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body, e);
        }
        HttpResponse<byte[]> r = exchange(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)), false);
        return read(r, JSON.constructType(type), "POST " + path);
    }

    /**
     * Sends a request as given ({@code rawPathAndQuery} from the root of the node, e.g. {@code /api/v1/streams/...})
     * and returns the response with its body still streaming: recordings are never held in memory. The caller
     * closes the body. Errors of the node are returned as responses, transport failures thrown as
     * {@link Gb28181Exception}s.
     */
    HttpResponse<InputStream> forward(String method, String rawPathAndQuery, Map<String, List<String>> headers,
            byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(rawPathAndQuery.substring(1)))
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + settings.token())
                .header(Traceparent.HEADER, Traceparent.forOutgoingCall().header())
                .method(method, body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((k, values) -> values.forEach(v -> b.header(k, v)));
        boolean idempotent = "GET".equals(method) || "HEAD".equals(method);
        return send(b, idempotent, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Maps a node error answer (status >= 300) the way {@link #get}/{@link #post} do, for forwarded requests. */
    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve("api/v1/" + path))
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + settings.token())
                .header(Traceparent.HEADER, Traceparent.forOutgoingCall().header());
    }

    private HttpResponse<byte[]> exchange(HttpRequest.Builder builder, boolean idempotent) {
        return send(builder, idempotent, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <B> HttpResponse<B> send(HttpRequest.Builder builder, boolean idempotent,
            HttpResponse.BodyHandler<B> handler) {
        Settings s = settings;
        int attempts = idempotent ? 1 + Math.max(0, s.getRetries()) : 1;
        HttpRequest request = builder.build();
        Gb28181Exception last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                backoff(s.retryBackoff(), attempt);
            }
            try {
                return http.send(request, handler);
            } catch (HttpConnectTimeoutException e) {
                last = new Gb28181Exception(Reason.UNAVAILABLE, "GB28181 node " + name + " is unreachable: no "
                        + "connection within the connect timeout", e);
            } catch (HttpTimeoutException e) {
                last = new Gb28181Exception(Reason.TIMEOUT, "GB28181 node " + name + " did not answer "
                        + request.method() + " " + request.uri().getPath() + " within "
                        + s.requestTimeout().toMillis() + " ms", e);
            } catch (ConnectException e) {
                last = new Gb28181Exception(Reason.UNAVAILABLE, "GB28181 node " + name + " is unreachable: "
                        + (e.getMessage() == null ? "connection refused" : e.getMessage()), e);
            } catch (IOException e) {
                last = new Gb28181Exception(Reason.UNAVAILABLE, "GB28181 node " + name + " is unreachable: " + e,
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Gb28181Exception(Reason.UNAVAILABLE, "interrupted while calling GB28181 node " + name, e);
            }
            if (attempt + 1 < attempts) {
                LOG.debug("{} {} failed ({}); retrying", request.method(), request.uri(), last.getMessage());
            }
        }
        throw last;
    }

    private static void backoff(Duration base, int attempt) {
        long millis = Math.min(MAX_BACKOFF.toMillis(), base.toMillis() << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> T read(HttpResponse<byte[]> r, JavaType type, String what) {
        if (r.statusCode() / 100 != 2) {
            throw error(r.statusCode(), r.body());
        }
        try {
            return JSON.readValue(r.body(), type);
        } catch (IOException e) {
            throw new ApiException(502, "node_error", "GB28181 node " + name + " answered " + what
                    + " with a body that is not the expected JSON: " + e.getMessage(), Map.of(), e);
        }
    }

    /**
     * The node's error as the gateway answers it: the token refused is a 502 that says so; an error whose code is
     * one of the GB28181 reasons becomes that reason with the node's message; other 4xx pass through as they are;
     * other 5xx are a 502 naming the node.
     */
    /** The gateway's error for a node answer that failed with {@code status}. */
    ApiException error(int status, byte[] body) {
        if (status == 401 || status == 403) {
            return new ApiException(502, "node_auth_failed", "GB28181 node " + name + " refused the node token (HTTP "
                    + status + "): set .token of PID " + NodeDirectory.Config.PID
                    + " to the node's FLUX_GB28181D_TOKEN");
        }
        String code = null;
        String message = null;
        try {
            JsonNode error = JSON.readTree(body).path("error");
            code = error.path("code").isTextual() ? error.path("code").asText() : null;
            message = error.path("message").isTextual() ? error.path("message").asText() : null;
        } catch (IOException e) {
            // not the error shape: handled below
        }
        if (code != null) {
            for (Reason reason : Reason.values()) {
                if (reason.code().equals(code) && reason.status() == status) {
                    return new Gb28181Exception(reason, message == null ? reason.code() : message);
                }
            }
        }
        if (status >= 400 && status < 500) {
            return new ApiException(status, code == null ? "bad_request" : code,
                    message == null ? "GB28181 node " + name + " answered HTTP " + status : message);
        }
        return new ApiException(502, "node_error", "GB28181 node " + name + " answered HTTP " + status
                + (message == null ? snippet(body) : ": " + message));
    }

    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "" : ": " + s;
    }
}
