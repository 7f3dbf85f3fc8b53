package io.flux.media.mediamtx.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.health.Readiness;
import io.flux.media.api.health.ReadinessCheck;
import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.api.streaming.StreamingServer;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.api.streaming.StreamingServerStatus;

/**
 * The {@link StreamingServer} backed by MediaMTX's v3 control API and its playback server, and the
 * {@code streaming_server} readiness check. Every setting applies live: a change builds a new client and swaps it
 * in atomically; calls already running finish on the old one, which then shuts down.
 */
@Designate(ocd = MediaMtxServer.Config.class)
@Component(name = MediaMtxServer.Config.PID, configurationPid = MediaMtxServer.Config.PID,
        service = { StreamingServer.class, ReadinessCheck.class }, immediate = true,
        property = { StreamingServer.KIND + "=" + MediaMtxServer.KIND,
            ReadinessCheck.NAME + "=" + MediaMtxServer.READINESS_NAME })
@HotUpdatable({ "api.address", "api.user", ".api.password", "rtsp.address", "rtmp.address", "hls.address",
    "webrtc.address", "srt.address", "playback.address", "record.path", "record.format", "segment.duration",
    "request.timeout.ms", "connect.timeout.ms" })
public class MediaMtxServer implements StreamingServer, ReadinessCheck {

    static final String KIND = "mediamtx";
    static final String READINESS_NAME = "streaming_server";

    @ObjectClassDefinition(name = "Flux MediaMTX adapter",
            description = "Connects Flux to MediaMTX (RTSP/RTMP/HLS/WebRTC/SRT streaming server) through its v3 "
                    + "control API and playback server. Every setting applies live: the HTTP client is rebuilt and "
                    + "calls already running finish on the old one.")
    public @interface Config {

        String PID = "io.flux.media.mediamtx";

        @AttributeDefinition(name = "API address",
                description = "Base URL of MediaMTX's control API (api: yes, apiAddress :9997), http:// or "
                        + "https://, without credentials. Hot-updatable.")
        String api_address() default "http://127.0.0.1:9997";

        @AttributeDefinition(name = "API user", required = false,
                description = "MediaMTX user with the api (and playback) permission, sent as HTTP Basic. Empty "
                        + "sends no credentials (MediaMTX then only admits localhost). Hot-updatable.")
        String api_user() default "";

        /* Key ".api.password": the leading dot keeps it out of the service properties. */
        @AttributeDefinition(name = "API password", type = AttributeType.PASSWORD, required = false,
                description = "Password of the API user (configuration key .api.password). Never logged or "
                        + "reported. Hot-updatable.")
        String _api_password() default "";

        @AttributeDefinition(name = "RTSP address", required = false,
                description = "rtsp:// (or rtsps://) base clients read from: {rtsp.address}/{path}. Empty leaves "
                        + "the RTSP URL out. Hot-updatable.")
        String rtsp_address() default "rtsp://127.0.0.1:8554";

        @AttributeDefinition(name = "RTMP address", required = false,
                description = "rtmp:// (or rtmps://) base: read URL and push URL {rtmp.address}/{path}. "
                        + "Hot-updatable.")
        String rtmp_address() default "rtmp://127.0.0.1:1935";

        @AttributeDefinition(name = "HLS address", required = false,
                description = "http(s):// base of the HLS server: {hls.address}/{path}/index.m3u8. Hot-updatable.")
        String hls_address() default "http://127.0.0.1:8888";

        @AttributeDefinition(name = "WebRTC address", required = false,
                description = "http(s):// base of the WebRTC server: WHEP at {webrtc.address}/{path}/whep. "
                        + "Hot-updatable.")
        String webrtc_address() default "http://127.0.0.1:8889";

        @AttributeDefinition(name = "SRT address", required = false,
                description = "srt:// address: {srt.address}?streamid=read:{path}. Hot-updatable.")
        String srt_address() default "srt://127.0.0.1:8890";

        @AttributeDefinition(name = "Playback address", required = false,
                description = "http(s):// base of MediaMTX's playback server (playback: yes, :9996), for "
                        + "recording lists and playback URLs. Hot-updatable.")
        String playback_address() default "http://127.0.0.1:9996";

        @AttributeDefinition(name = "Record path",
                description = "recordPath set when recording is turned on, with MediaMTX's placeholders; must "
                        + "contain %path. Applies to the next recording start. Hot-updatable.")
        String record_path() default "./recordings/%path/%Y-%m-%d_%H-%M-%S-%f";

        @AttributeDefinition(name = "Record format",
                description = "recordFormat set when recording is turned on. Applies to the next recording "
                        + "start. Hot-updatable.",
                options = { @Option(label = "Fragmented MP4", value = "fmp4"),
                    @Option(label = "MPEG-TS", value = "mpegts") })
        String record_format() default "fmp4";

        @AttributeDefinition(name = "Segment duration",
                description = "recordSegmentDuration set when recording is turned on, a MediaMTX duration such as "
                        + "1h, 30m or 90s. Applies to the next recording start. Hot-updatable.")
        String segment_duration() default "1h";

        @AttributeDefinition(name = "Request timeout (ms)", min = "1",
                description = "Longest wait for an answer to one call, connection included. Hot-updatable.")
        int request_timeout_ms() default 5000;

        @AttributeDefinition(name = "Connect timeout (ms)", min = "1",
                description = "Longest wait for the TCP connection to MediaMTX. Hot-updatable.")
        int connect_timeout_ms() default 2000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MediaMtxServer.class);

    private final LongSupplier nanoClock;
    // Null once deactivated.
    private final AtomicReference<MediaMtxClient> client = new AtomicReference<>();

    @Activate
    public MediaMtxServer(Config config) {
        this(config, System::nanoTime);
    }

    /** {@code nanoClock} times the readiness cache. */
    MediaMtxServer(Config config, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        MediaMtxSettings settings;
        try {
            settings = MediaMtxSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("MediaMTX adapter not started: {}", e.getMessage());
            throw e;
        }
        client.set(new MediaMtxClient(settings, nanoClock));
        LOG.info("MediaMTX adapter started: {}", settings);
    }

    /**
     * Swaps in a client built from {@code config}. An invalid configuration is refused (the exception reaches SCR,
     * which logs it) and the running client stays.
     */
    @Modified
    void modified(Config config) {
        MediaMtxSettings settings;
        try {
            settings = MediaMtxSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("MediaMTX adapter configuration change refused, keeping the previous one: {}", e.getMessage());
            throw e;
        }
        MediaMtxClient fresh = new MediaMtxClient(settings, nanoClock);
        MediaMtxClient old = client.getAndUpdate(current -> current == null ? null : fresh);
        if (old == null) {
            fresh.retire();
            return;
        }
        old.retire();
        LOG.info("MediaMTX adapter reconfigured: {}", settings);
    }

    @Deactivate
    void deactivate() {
        MediaMtxClient old = client.getAndSet(null);
        if (old != null) {
            old.retire();
        }
    }

    /** The current client; package-visible for tests. */
    MediaMtxClient currentClient() {
        return client.get();
    }

    /** Runs {@code call} on the current client, holding a lease so a reconfiguration lets it finish. */
    private <T> T withClient(Function<MediaMtxClient, T> call) {
        while (true) {
            MediaMtxClient current = client.get();
            if (current == null) {
                throw new StreamingServerException(StreamingServerException.Reason.UNAVAILABLE,
                        "MediaMTX adapter stopped");
            }
            // A failed acquire means a reconfiguration retired it just now: take the new one.
            if (current.acquire()) {
                try {
                    return call.apply(current);
                } finally {
                    current.release();
                }
            }
        }
    }

    private void runWithClient(Consumer<MediaMtxClient> call) {
        withClient(c -> {
            call.accept(c);
            return null;
        });
    }

    @Override
    public StreamingServerStatus status() {
        try {
            return withClient(MediaMtxClient::status);
        } catch (StreamingServerException e) {
            return new StreamingServerStatus(false, null, e.getMessage());
        }
    }

    @Override
    public void addPath(String name, PathConfig config) {
        runWithClient(c -> c.addPath(name, config));
    }

    @Override
    public Optional<PathConfig> pathConfig(String name) {
        return withClient(c -> c.pathConfig(name));
    }

    @Override
    public void patchPath(String name, PathConfig patch) {
        runWithClient(c -> c.patchPath(name, patch));
    }

    @Override
    public void replacePath(String name, PathConfig config) {
        runWithClient(c -> c.replacePath(name, config));
    }

    @Override
    public void deletePath(String name) {
        runWithClient(c -> c.deletePath(name));
    }

    @Override
    public Page<PathConfig> pathConfigs(int page, int itemsPerPage) {
        return withClient(c -> c.pathConfigs(page, itemsPerPage));
    }

    @Override
    public Optional<PathState> path(String name) {
        return withClient(c -> c.path(name));
    }

    @Override
    public Page<PathState> paths(int page, int itemsPerPage) {
        return withClient(c -> c.paths(page, itemsPerPage));
    }

    @Override
    public void setRecording(String name, boolean enabled) {
        runWithClient(c -> c.setRecording(name, enabled));
    }

    @Override
    public List<Instant> recordings(String name) {
        return withClient(c -> c.recordings(name));
    }

    @Override
    public void deleteRecordingSegment(String name, Instant start) {
        runWithClient(c -> c.deleteRecordingSegment(name, start));
    }

    @Override
    public List<PlaybackSegment> playbackSegments(String name, Instant start, Instant end) {
        return withClient(c -> c.playbackSegments(name, start, end));
    }

    @Override
    public String playbackUrl(String name, Instant start, Duration duration) {
        return withClient(c -> c.playbackUrl(name, start, duration));
    }

    @Override
    public PathUrls urls(String name) {
        return withClient(c -> c.urls(name));
    }

    // ---- ReadinessCheck ----

    @Override
    public String name() {
        return READINESS_NAME;
    }

    @Override
    public Readiness check() {
        MediaMtxClient current = client.get();
        if (current == null) {
            return Readiness.down("MediaMTX adapter stopped");
        }
        return current.readiness();
    }
}
