package io.flux.media.itests.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The REST API of a {@link ServerProcess}, with the admin token; paths are relative to {@code /api/v1/}
 * unless they start with a slash. */
final class ServerApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer; {@code json} is null when the body is empty or not JSON; status -1 when the call failed. */
    record Reply(int status, String body, JsonNode json) {
    }

    private final ServerProcess server;
    private final String token;

    ServerApi(ServerProcess server) {
        this(server, ServerProcess.ADMIN_TOKEN);
    }

    /** With another bearer token (a node token, a wrong one). */
    ServerApi(ServerProcess server, String token) {
        this.server = server;
        this.token = token;
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply post(String path, String json) {
        return post(path, json, new String[0]);
    }

    /** POST with extra headers given as name, value, name, value... */
    Reply post(String path, String json, String... headers) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
                .POST(json.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** PATCH a JSON body. */
    Reply patch(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Any method without a body (DELETE, ...). */
    Reply send(String method, String path) {
        return send(request(path).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /**
     * The sum of a metric's series on {@code /metrics} whose labels include every {@code label="value"} given; 0 when
     * there is none (a counter never incremented for those labels).
     */
    double metric(String name, String... labels) {
        Reply r = get("/metrics");
        if (r.status() != 200) {
            throw new IllegalStateException("GET /metrics answered " + r.status() + ": " + r.body());
        }
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            boolean all = true;
            for (String l : labels) {
                all &= series.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    /** Whether {@code GET features} (a list, or {@code {features:[...]}}) says the named feature is installed. */
    static boolean installed(JsonNode features, String name) {
        for (JsonNode f : features.isArray() ? features : features.path("features")) {
            if (name.equals(f.path("name").asText())) {
                return f.path("installed").asBoolean();
            }
        }
        return false;
    }

    /** The id of the installed bundle with this symbolic name. */
    long bundleId(String symbolicName) {
        for (JsonNode b : get("bundles").json()) {
            if (symbolicName.equals(b.path("symbolic_name").asText())) {
                return b.path("id").asLong();
            }
        }
        throw new AssertionError("bundle " + symbolicName + " not installed");
    }

    /** The answer is the error shape with this status and a message containing {@code messagePart}. */
    static void assertError(Reply r, int status, String messagePart) {
        org.assertj.core.api.Assertions.assertThat(r.status()).as(r.body()).isEqualTo(status);
        org.assertj.core.api.Assertions.assertThat(r.json().path("error").path("message").asText())
                .contains(messagePart);
    }

    HttpResponse<byte[]> bytes(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    Path download(String path, Path target) throws IOException, InterruptedException {
        Files.createDirectories(target.getParent());
        HttpResponse<Path> r = CLIENT.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofFile(target));
        if (r.statusCode() != 200) {
            throw new IOException("download " + path + ": HTTP " + r.statusCode());
        }
        return target;
    }

    private HttpRequest.Builder request(String path) {
        String url = path.startsWith("http") ? path
                : server.base() + (path.startsWith("/") ? path : "/api/v1/" + path);
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    private static Reply send(HttpRequest req) {
        try {
            HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            try {
                json = r.body().isEmpty() ? null : JSON.readTree(r.body());
            } catch (IOException e) {
                // not JSON
            }
            return new Reply(r.statusCode(), r.body(), json);
        } catch (IOException e) {
            return new Reply(-1, e.toString(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
