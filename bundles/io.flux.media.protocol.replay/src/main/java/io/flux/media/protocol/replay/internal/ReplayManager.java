package io.flux.media.protocol.replay.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.ingest.ProtocolHandler;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.stream.StreamId;
import io.flux.media.codec.CodecException;

/**
 * The {@code replay} protocol handler: plays H.264/H.265 files from the media directory as live streams
 * {@code replay/<name>} in real time, looping. Started and stopped through {@link ReplaysResource}.
 */
@Component(configurationPid = ReplayManager.Config.PID, service = {ProtocolHandler.class, ReplayManager.class},
        property = ProtocolHandler.PROTOCOL + "=" + ReplayManager.PROTOCOL)
@Designate(ocd = ReplayManager.Config.class)
@HotUpdatable({"max.replays"})
public class ReplayManager implements ProtocolHandler {

    static final String PROTOCOL = "replay";

    /** Ended replays kept for GET before the oldest are forgotten. */
    static final int MAX_ENDED = 100;

    private static final Logger LOG = LoggerFactory.getLogger(ReplayManager.class);

    @ObjectClassDefinition(name = "Flux file replay",
            description = "Plays H.264/H.265 files (Annex B or MP4, AAC audio) as live looping streams replay/<name>.")
    public @interface Config {

        String PID = "io.flux.media.protocol.replay";

        @AttributeDefinition(name = "Media directory",
                description = "Directory replays may read files from, relative to the server's working directory "
                        + "unless absolute. Requests naming files outside it are refused. Restart-only.")
        String media_dir() default "media";

        @AttributeDefinition(name = "Maximum replays", min = "1",
                description = "Replays that may run at the same time; further requests answer 429. Hot-updatable.")
        int max_replays() default 64;
    }

    private final MediaSink sink;
    private final Path mediaDir;
    private final ReplayClock clock;
    private final Clock wallClock;
    private final Function<Runnable, Thread> threads;
    private final MediaCache cache;
    private final Map<String, Replay> replays = new ConcurrentHashMap<>();
    private final Set<String> starting = new HashSet<>();
    private final Object lock = new Object();
    private volatile int maxReplays;
    private boolean active = true;

    @Activate
    public ReplayManager(@Reference MediaSink sink, Config config) {
        this(sink, config, ReplayClock.SYSTEM, Clock.systemUTC(),
                r -> Thread.ofVirtual().name("flux-replay").unstarted(r), MediaLoader::load);
    }

    ReplayManager(MediaSink sink, Config config, ReplayClock clock, Clock wallClock,
            Function<Runnable, Thread> threads, MediaCache.Loader loader) {
        this.sink = sink;
        this.mediaDir = Paths.get(System.getProperty("user.dir", ".")).resolve(config.media_dir()).toAbsolutePath()
                .normalize();
        this.clock = clock;
        this.wallClock = wallClock;
        this.threads = threads;
        this.cache = new MediaCache(loader);
        this.maxReplays = Math.max(1, config.max_replays());
        LOG.info("file replay ready: media directory {}, at most {} replays", mediaDir, maxReplays);
    }

    @Modified
    void modified(Config config) {
        maxReplays = Math.max(1, config.max_replays());
    }

    @Deactivate
    void deactivate() {
        List<Replay> all;
        synchronized (lock) {
            active = false;
            all = new ArrayList<>(replays.values());
            replays.clear();
        }
        all.forEach(Replay::stop);
        if (!all.isEmpty()) {
            LOG.info("stopped {} replays", all.size());
        }
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public Set<StreamId> activeStreams() {
        Set<StreamId> out = new LinkedHashSet<>();
        for (Replay r : replays.values()) {
            if (r.running()) {
                out.add(r.streamId());
            }
        }
        return out;
    }

    Path mediaDir() {
        return mediaDir;
    }

    List<ReplayView> list() {
        return replays.values().stream().sorted(Comparator.comparing(Replay::name)).map(ReplayView::of).toList();
    }

    ReplayView get(String id) {
        Replay r = id == null ? null : replays.get(id);
        if (r == null) {
            throw ApiException.notFound("no replay '" + printable(id) + "'");
        }
        return ReplayView.of(r);
    }

    /** Stops the replay (closing its stream) and forgets it. */
    void delete(String id) {
        Replay r;
        synchronized (lock) {
            r = id == null ? null : replays.remove(id);
        }
        if (r == null) {
            throw ApiException.notFound("no replay '" + printable(id) + "'");
        }
        r.stop();
        LOG.info("replay {} deleted", r.name());
    }

    ReplayView start(ReplayRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a JSON body with at least 'file' is required");
        }
        Path file = resolve(request.file());
        String name = request.name() != null ? request.name() : defaultName(file);
        String problem = name.contains("/") ? "must not contain '/'" : StreamId.problem(PROTOCOL + "/" + name);
        if (problem != null) {
            throw new ApiException(400, "bad_request", "invalid name '" + printable(name) + "': " + problem,
                    Map.of("field", "name"), null);
        }
        double fps = 0;
        if (request.fps() != null) {
            fps = request.fps();
            if (!(fps > 0 && fps <= 300)) {
                throw new ApiException(400, "bad_request", "fps must be between 0 and 300", Map.of("field", "fps"),
                        null);
            }
        }
        boolean loop = request.loop() == null || request.loop();
        StreamId streamId = StreamId.of(PROTOCOL, name);
        synchronized (lock) {
            if (!active) {
                throw ApiException.unavailable("the replay handler is stopping");
            }
            Replay existing = replays.get(name);
            if (starting.contains(name) || (existing != null && existing.running())) {
                throw ApiException.conflict("a replay named '" + name + "' is running",
                        Map.of("id", name, "stream_id", streamId.value()));
            }
            long running = replays.values().stream().filter(Replay::running).count() + starting.size();
            if (running >= maxReplays) {
                throw new ApiException(429, "too_many_replays", "at most " + maxReplays + " replays may run at once",
                        Map.of("max_replays", maxReplays), null);
            }
            starting.add(name);
        }
        MediaCache.Lease lease = null;
        MediaSink.StreamHandle handle = null;
        try {
            lease = cache.acquire(file, fps);
            try {
                handle = sink.open(streamId, PROTOCOL);
            } catch (IllegalStateException e) {
                throw ApiException.unavailable("the media core does not accept streams: " + e.getMessage());
            }
            MediaCache.Lease held = lease;
            Replay replay = new Replay(name, streamId, request.file(), lease.media(), loop, handle, clock,
                    wallClock.instant(), held::close);
            Thread thread = threads.apply(replay);
            thread.setName("flux-replay-" + name);
            replay.attach(thread);
            synchronized (lock) {
                if (!active) {
                    throw ApiException.unavailable("the replay handler is stopping");
                }
                replays.put(name, replay);
                forgetOldEnded();
            }
            thread.start();
            LOG.info("replay {} started: {} ({} {}x{}, {}) as {}", name, request.file(), lease.media().videoCodec(),
                    lease.media().width(), lease.media().height(), loop ? "looping" : "once", streamId);
            return ReplayView.of(replay);
        } catch (IOException | CodecException e) {
            close(lease, handle);
            throw new ApiException(400, "bad_request", "cannot replay '" + printable(request.file()) + "': "
                    + e.getMessage(), Map.of("field", "file"), null);
        } catch (RuntimeException e) {
            close(lease, handle);
            throw e;
        } finally {
            synchronized (lock) {
                starting.remove(name);
            }
        }
    }

    /** Ended replays stay visible until deleted or replaced, but only so many of them. */
    private void forgetOldEnded() {
        List<Replay> ended = replays.values().stream().filter(r -> !r.running())
                .sorted(Comparator.comparing(Replay::startedAt)).toList();
        for (int i = 0; i < ended.size() - MAX_ENDED; i++) {
            replays.remove(ended.get(i).name(), ended.get(i));
        }
    }

    private static void close(MediaCache.Lease lease, MediaSink.StreamHandle handle) {
        if (handle != null) {
            handle.close();
        }
        if (lease != null) {
            lease.close();
        }
    }

    /** The file inside the media directory, or 400 saying why not. */
    Path resolve(String file) {
        if (file == null || file.isBlank()) {
            throw new ApiException(400, "bad_request", "'file' is required", Map.of("field", "file"), null);
        }
        Path path;
        try {
            path = mediaDir.resolve(file).normalize();
        } catch (InvalidPathException e) {
            throw fileProblem(file, "is not a valid path");
        }
        if (!path.startsWith(mediaDir) || path.equals(mediaDir)) {
            throw fileProblem(file, "is outside the media directory");
        }
        if (!MediaLoader.supported(path.getFileName().toString())) {
            throw fileProblem(file, "is not a supported type (.h264 .264 .h265 .265 .hevc .mp4 .m4v .mov)");
        }
        if (!Files.isRegularFile(path)) {
            throw fileProblem(file, "does not exist");
        }
        try {
            // Symbolic links must not lead out of the media directory either.
            Path real = path.toRealPath();
            if (!real.startsWith(mediaDir.toRealPath())) {
                throw fileProblem(file, "is outside the media directory");
            }
            if (!Files.isReadable(real)) {
                throw fileProblem(file, "is not readable");
            }
            return real;
        } catch (IOException e) {
            throw fileProblem(file, "is not readable");
        }
    }

    private static ApiException fileProblem(String file, String problem) {
        return new ApiException(400, "bad_request", "file '" + printable(file) + "' " + problem,
                Map.of("field", "file"), null);
    }

    static String defaultName(Path file) {
        String base = file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        String name = base.replaceAll("[^A-Za-z0-9._-]", "-");
        if (name.length() > 128) {
            name = name.substring(0, 128);
        }
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "replay" : name;
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    int cachedFiles() {
        return cache.size();
    }
}
