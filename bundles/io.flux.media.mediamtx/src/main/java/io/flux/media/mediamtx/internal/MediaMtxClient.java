package io.flux.media.mediamtx.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.api.streaming.StreamingServerException.Reason;
import io.flux.media.api.streaming.StreamingServerStatus;

/**
 * One MediaMTX configuration's client: the settings and the {@link HttpClient} built from them, never changed. A
 * configuration change builds a new one; the old one is {@link #retire() retired} and shuts its HTTP client down
 * once the last call using it has finished (callers hold a lease: {@link #acquire()} / {@link #release()}).
 */
final class MediaMtxClient {

    private static final Logger LOG = LoggerFactory.getLogger(MediaMtxClient.class);

    /** How long a readiness result is reused, so {@code /health} polling does not hammer MediaMTX. */
    static final Duration READINESS_TTL = Duration.ofSeconds(5);

    /** The longest a readiness check waits for a probe; a slower probe keeps running and fills the cache. */
    static final Duration READINESS_WAIT = Duration.ofSeconds(2);

    private final MediaMtxSettings settings;
    private final HttpClient http;
    private final String authorization;
    private final LongSupplier nanoClock;

    // Lease bookkeeping, guarded by this.
    private int inFlight;
    private boolean retired;

    private final Object readinessLock = new Object();
    // Guarded by readinessLock.
    private Readiness cachedReadiness;
    private long cachedAtNanos;
    private CompletableFuture<Readiness> probe;

    MediaMtxClient(MediaMtxSettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.authorization = settings.authenticates()
                ? "Basic " + Base64.getEncoder().encodeToString(
                        (settings.user() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8))
                : null;
    }

    /** Takes a lease; false once retired (the caller then takes the current client instead). */
    synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        inFlight++;
        return true;
    }

    synchronized void release() {
        inFlight--;
        if (retired && inFlight == 0) {
            http.shutdown();
        }
    }

    /** No new calls; the HTTP client shuts down when the calls in flight have finished. */
    synchronized void retire() {
        retired = true;
        if (inFlight == 0) {
            http.shutdown();
        }
    }

    synchronized boolean terminated() {
        return retired && inFlight == 0;
    }

    // ---- control API ----

    StreamingServerStatus status() {
        try {
            JsonNode info = json(api("GET", "/v3/info", null), settings.apiAddress());
            String version = info.path("version").asText(null);
            return new StreamingServerStatus(true, version, "MediaMTX " + (version == null ? "" : version + " ")
                    + "answers at " + settings.apiAddress());
        } catch (StreamingServerException e) {
            return new StreamingServerStatus(false, null, e.getMessage());
        }
    }

    void addPath(String name, PathConfig config) {
        expectOk(api("POST", "/v3/config/paths/add/" + pathName(name), MediaMtxJson.pathConfigBody(config)), name);
        LOG.info("MediaMTX path {} added (source {})", name, config == null ? null : config.source());
    }

    Optional<PathConfig> pathConfig(String name) {
        Response response = api("GET", "/v3/config/paths/get/" + pathName(name), null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(MediaMtxJson.pathConfig(json(response, settings.apiAddress(), name)));
    }

    void patchPath(String name, PathConfig patch) {
        expectOk(api("PATCH", "/v3/config/paths/patch/" + pathName(name), MediaMtxJson.pathConfigBody(patch)),
                name);
        LOG.debug("MediaMTX path {} patched", name);
    }

    void replacePath(String name, PathConfig config) {
        expectOk(api("POST", "/v3/config/paths/replace/" + pathName(name), MediaMtxJson.pathConfigBody(config)),
                name);
        LOG.info("MediaMTX path {} replaced (source {})", name, config == null ? null : config.source());
    }

    void deletePath(String name) {
        expectOk(api("DELETE", "/v3/config/paths/delete/" + pathName(name), null), name);
        LOG.info("MediaMTX path {} deleted", name);
    }

    Page<PathConfig> pathConfigs(int page, int itemsPerPage) {
        Response response = api("GET", "/v3/config/paths/list" + pageQuery(page, itemsPerPage), null);
        return MediaMtxJson.page(json(response, settings.apiAddress()), MediaMtxJson::pathConfig);
    }

    Optional<PathState> path(String name) {
        Response response = api("GET", "/v3/paths/get/" + pathName(name), null);
        if (response.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(MediaMtxJson.pathState(json(response, settings.apiAddress(), name)));
    }

    Page<PathState> paths(int page, int itemsPerPage) {
        Response response = api("GET", "/v3/paths/list" + pageQuery(page, itemsPerPage), null);
        return MediaMtxJson.page(json(response, settings.apiAddress()), MediaMtxJson::pathState);
    }

    void setRecording(String name, boolean enabled) {
        PathConfig patch = new PathConfig(null, null, null, enabled, settings.recordPath(), settings.recordFormat(),
                settings.segmentDuration(), null);
        patchPath(name, patch);
        LOG.info("MediaMTX recording of path {} {}", name, enabled ? "enabled" : "disabled");
    }

    List<Instant> recordings(String name) {
        Response response = api("GET", "/v3/recordings/get/" + pathName(name), null);
        // MediaMTX answers 400 (its spec says 404) when the path has no recordings.
        if (response.status() == 404 || (response.status() == 400 && !invalidName(response))) {
            return List.of();
        }
        return MediaMtxJson.recordingStarts(json(response, settings.apiAddress(), name));
    }

    void deleteRecordingSegment(String name, Instant start) {
        requireName(name);
        if (start == null) {
            throw new StreamingServerException(Reason.INVALID, "start of the segment to delete is missing");
        }
        Response response = api("DELETE", "/v3/recordings/deletesegment" + query(Map.of("path", name, "start",
                start.toString())), null);
        if (response.status() == 400 && !invalidName(response)) {
            // MediaMTX answers 400 (not 404) when there is no such segment.
            throw new StreamingServerException(Reason.NOT_FOUND, "No recording segment of path '" + name
                    + "' starts at " + start + " (" + errorText(response) + ")");
        }
        expectOk(response, name);
        LOG.info("MediaMTX recording segment of path {} starting {} deleted", name, start);
    }

    // ---- playback server ----

    List<PlaybackSegment> playbackSegments(String name, Instant start, Instant end) {
        requireName(name);
        URI playback = playbackAddress();
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("path", name);
        if (start != null) {
            parameters.put("start", start.toString());
        }
        if (end != null) {
            parameters.put("end", end.toString());
        }
        Response response = send(playback, "GET", "/list" + query(parameters), null);
        // 404: nothing recorded in the range; 400 "... is not configured": an unknown path has nothing either.
        if (response.status() == 404
                || (response.status() == 400 && errorText(response).contains("not configured"))) {
            return List.of();
        }
        return MediaMtxJson.playbackSegments(json(response, playback, name));
    }

    String playbackUrl(String name, Instant start, Duration duration) {
        requireName(name);
        if (start == null || duration == null || duration.isNegative() || duration.isZero()) {
            throw new StreamingServerException(Reason.INVALID,
                    "playback needs a start and a positive duration, not " + start + " / " + duration);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("path", name);
        parameters.put("start", start.toString());
        parameters.put("duration", seconds(duration));
        return playbackAddress() + "/get" + query(parameters);
    }

    // ---- client URLs ----

    PathUrls urls(String name) {
        String path = pathName(name);
        return new PathUrls(join(settings.rtspAddress(), path), join(settings.rtmpAddress(), path),
                join(settings.hlsAddress(), path + "/index.m3u8"), join(settings.webrtcAddress(), path + "/whep"),
                settings.srtAddress() == null ? null
                        : settings.srtAddress() + "?streamid=" + queryValue("read:" + name),
                join(settings.rtmpAddress(), path));
    }

    // ---- readiness ----

    /**
     * Reuses a result younger than {@link #READINESS_TTL}; otherwise probes (one probe at a time), waiting at most
     * {@link #READINESS_WAIT} so {@code /health} never hangs on a dead server.
     */
    Readiness readiness() {
        CompletableFuture<Readiness> running;
        synchronized (readinessLock) {
            if (cachedReadiness != null && nanoClock.getAsLong() - cachedAtNanos < READINESS_TTL.toNanos()) {
                return cachedReadiness;
            }
            if (probe == null) {
                CompletableFuture<Readiness> started = new CompletableFuture<>();
                probe = started;
                Thread.ofVirtual().name("mediamtx-readiness").start(() -> runProbe(started));
            }
            running = probe;
        }
        long waitMs = Math.min(READINESS_WAIT.toMillis(),
                settings.connectTimeout().plus(settings.requestTimeout()).toMillis());
        try {
            return running.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Readiness.down("MediaMTX at " + settings.apiAddress() + " did not answer GET /v3/info within "
                    + waitMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Readiness.down("interrupted while checking MediaMTX at " + settings.apiAddress());
        } catch (ExecutionException e) {
            return Readiness.down("MediaMTX check failed: " + e.getCause());
        }
    }

    private void runProbe(CompletableFuture<Readiness> started) {
        Readiness result;
        if (!acquire()) {
            result = Readiness.down("MediaMTX adapter configuration replaced");
        } else {
            try {
                StreamingServerStatus status = status();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("address", settings.apiAddress().toString());
                if (status.version() != null) {
                    details.put("version", status.version());
                }
                result = new Readiness(status.reachable(), status.message(), details);
            } finally {
                release();
            }
        }
        Readiness previous;
        synchronized (readinessLock) {
            previous = cachedReadiness;
            cachedReadiness = result;
            cachedAtNanos = nanoClock.getAsLong();
            probe = null;
        }
        if (previous == null ? !result.ready() : previous.ready() != result.ready()) {
            if (result.ready()) {
                LOG.info("Streaming server ready: {}", result.message());
            } else {
                LOG.warn("Streaming server not ready: {}", result.message());
            }
        }
        started.complete(result);
    }

    // ---- HTTP ----

    record Response(String method, String target, int status, String body) {
    }

    private Response api(String method, String target, byte[] body) {
        return send(settings.apiAddress(), method, target, body);
    }

    /** One call; refused connections, timeouts, I/O errors, 401/403 and 5xx become {@code UNAVAILABLE}. */
    private Response send(URI base, String method, String target, byte[] body) {
        URI uri = URI.create(base + target);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unavailable(base, method, target, "no connection within " + settings.connectTimeout().toMillis()
                    + " ms", e);
        } catch (HttpTimeoutException e) {
            throw unavailable(base, method, target, "no answer within " + settings.requestTimeout().toMillis()
                    + " ms", e);
        } catch (ConnectException e) {
            throw unavailable(base, method, target, "connection refused", e);
        } catch (IOException e) {
            if (e.getCause() instanceof ConnectException) {
                throw unavailable(base, method, target, "connection refused", e);
            }
            throw unavailable(base, method, target, "I/O error: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(base, method, target, "interrupted", e);
        }
        Response result = new Response(method, target, response.statusCode(), response.body());
        LOG.debug("MediaMTX {} {} {} -> {}", method, base, target, result.status());
        int status = result.status();
        if (status == 401 || status == 403) {
            String who = settings.authenticates() ? "user '" + settings.user() + "'" : "no user configured";
            throw unavailable(base, method, target, "credentials refused (" + status + " "
                    + (status == 401 ? "Unauthorized" : "Forbidden") + ", " + who + ")", null);
        }
        if (status >= 500) {
            throw unavailable(base, method, target, "server error " + status + ": " + errorText(result), null);
        }
        if (status != 200 && status != 400 && status != 404) {
            throw unavailable(base, method, target, "unexpected answer " + status + ": " + errorText(result), null);
        }
        return result;
    }

    private StreamingServerException unavailable(URI base, String method, String target, String cause,
            Throwable e) {
        String message = "MediaMTX at " + base + " unavailable: " + cause + " (" + method + " " + stripQuery(target)
                + ")";
        LOG.debug("{}", message);
        return new StreamingServerException(Reason.UNAVAILABLE, message, e);
    }

    /** A 200 of a mutation; 400 "path already exists" is a conflict, other 400 invalid, 404 not found. */
    private void expectOk(Response response, String name) {
        if (response.status() == 200) {
            return;
        }
        throw failure(response, name);
    }

    private JsonNode json(Response response, URI base) {
        return json(response, base, null);
    }

    private JsonNode json(Response response, URI base, String name) {
        if (response.status() != 200) {
            throw failure(response, name);
        }
        try {
            JsonNode node = MediaMtxJson.MAPPER.readTree(response.body() == null ? "" : response.body());
            if (node == null || node.isMissingNode()) {
                throw new StreamingServerException(Reason.UNAVAILABLE, "MediaMTX at " + base + " answered "
                        + response.method() + " " + stripQuery(response.target()) + " with an empty body");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new StreamingServerException(Reason.UNAVAILABLE, "MediaMTX at " + base + " answered "
                    + response.method() + " " + stripQuery(response.target()) + " with unreadable JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static StreamingServerException failure(Response response, String name) {
        String text = errorText(response);
        String subject = name == null ? "" : " for path '" + name + "'";
        if (response.status() == 400) {
            if (text.contains("path already exists")) {
                return new StreamingServerException(Reason.CONFLICT, "MediaMTX path '" + name + "' already exists");
            }
            return new StreamingServerException(Reason.INVALID, "MediaMTX refused " + response.method() + subject
                    + ": " + text);
        }
        if (response.status() == 404) {
            return new StreamingServerException(Reason.NOT_FOUND, name == null ? "MediaMTX: " + text
                    : "MediaMTX has no path '" + name + "' (" + text + ")");
        }
        return new StreamingServerException(Reason.UNAVAILABLE, "MediaMTX answered " + response.status() + subject
                + ": " + text);
    }

    private static boolean invalidName(Response response) {
        return errorText(response).contains("invalid name");
    }

    /** MediaMTX's error text, else the start of the raw body. */
    private static String errorText(Response response) {
        String text = MediaMtxJson.errorText(response.body());
        if (text != null) {
            return text;
        }
        String body = response.body() == null ? "" : response.body().strip();
        if (body.isEmpty()) {
            return "(no error text)";
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private URI playbackAddress() {
        if (settings.playbackAddress() == null) {
            throw new StreamingServerException(Reason.UNAVAILABLE,
                    "MediaMTX playback server not configured (playback.address is empty)");
        }
        return URI.create(settings.playbackAddress());
    }

    // ---- encoding ----

    private static void requireName(String name) {
        if (name == null || name.isEmpty()) {
            throw new StreamingServerException(Reason.INVALID, "path name is empty");
        }
    }

    /** A path name for a URL path: '/' kept (names are hierarchical), everything else percent-encoded. */
    static String pathName(String name) {
        requireName(name);
        List<String> segments = new ArrayList<>();
        for (String segment : name.split("/", -1)) {
            segments.add(percentEncode(segment, ""));
        }
        return String.join("/", segments);
    }

    /** A query value: unreserved characters plus '/' and ':' kept (readable URLs), everything else encoded. */
    static String queryValue(String value) {
        return percentEncode(value, "/:");
    }

    private static String query(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((key, value) -> pairs.add(key + "=" + queryValue(value)));
        return "?" + String.join("&", pairs);
    }

    private static String pageQuery(int page, int itemsPerPage) {
        return "?page=" + page + "&itemsPerPage=" + itemsPerPage;
    }

    private static String percentEncode(String text, String alsoKeep) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || (c < 0x80 && alsoKeep.indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String join(String address, String rest) {
        return address == null ? null : address + "/" + rest;
    }

    private static String seconds(Duration duration) {
        return new BigDecimal(duration.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    private static String stripQuery(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
