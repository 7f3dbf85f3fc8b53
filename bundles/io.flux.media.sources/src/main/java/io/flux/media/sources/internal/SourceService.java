package io.flux.media.sources.internal;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.streaming.Page;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathState;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.PlaybackSegment;
import io.flux.media.api.streaming.StreamingServer;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.api.streaming.StreamingServerException.Reason;
import io.flux.media.sources.internal.Views.FileView;
import io.flux.media.sources.internal.Views.PlaybackView;
import io.flux.media.sources.internal.Views.PreviewView;
import io.flux.media.sources.internal.Views.ReadyView;
import io.flux.media.sources.internal.Views.RecordStatusView;
import io.flux.media.sources.internal.Views.RecordingsView;
import io.flux.media.sources.internal.Views.SessionView;
import io.flux.media.sources.internal.Views.SourceView;
import io.flux.media.sources.internal.Views.StatusView;

/**
 * Media sources, each one MediaMTX path while enabled. Every change goes to the streaming server first and to the
 * database second; when the second step fails the first is undone (best effort, logged at ERROR when even that
 * fails), so MediaMTX keeps no orphan path and the database no source without one.
 * <p>
 * Enabled/disabled: MediaMTX has no "disabled" flag on a path, so a disabled source has <em>no</em> path: disabling
 * deletes it (pulling stops, publishers are refused unless MediaMTX has a catch-all path such as
 * {@code all_others}), enabling adds it again from the row (url, recording). Enabling an enabled source re-applies
 * the row to MediaMTX, adopting an existing path of that name: the remedy after MediaMTX lost its runtime
 * configuration.
 * <p>
 * Mutations of one source are serialized (striped locks), so two requests cannot interleave their MediaMTX and
 * database steps.
 */
@Component(service = SourceService.class)
public class SourceService {

    static final String NO_SERVER = "streaming server unavailable: the MediaMTX adapter is not running";
    static final Duration DEFAULT_PLAYBACK = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(SourceService.class);
    private static final int STRIPES = 64;
    /** Paths per call when listing the streaming server's live paths. */
    private static final int PATHS_PAGE = 500;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile StreamingServer streamingServer;

    private final SourceStore store;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    @Activate
    public SourceService(@Reference Database database) {
        this(database, null, Clock.systemUTC());
    }

    /** For tests: a fixed streaming server (null for none) and clock. */
    SourceService(Database database, StreamingServer streamingServer, Clock clock) {
        database.migrate(Schema.OWNER, Schema.MIGRATIONS);
        this.store = new SourceStore(database.dataSource());
        this.streamingServer = streamingServer;
        this.clock = clock;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** For tests: swap the streaming server as the dynamic reference would. */
    void streamingServer(StreamingServer s) {
        this.streamingServer = s;
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---- CRUD ----

    SourceView create(SourceRequest request) {
        return view(create(SourceRules.forCreate(request, now()), null));
    }

    /**
     * Adds the path (when enabled), then inserts the row and runs {@code alsoInTransaction} in the same transaction;
     * if the database part fails the path is deleted again and nothing is left behind.
     */
    SourceRow create(SourceRow row, Jdbc.Work<?> alsoInTransaction) {
        StreamingServer s = row.enabled() ? server() : null;
        try (var ignored = mdc(row)) {
            if (s != null) {
                activate(s, row, false);
            }
            try {
                Jdbc.inTransaction(store.dataSource(), c -> {
                    store.insert(c, row);
                    if (alsoInTransaction != null) {
                        alsoInTransaction.run(c);
                    }
                    return null;
                });
            } catch (SQLException | RuntimeException e) {
                if (s != null) {
                    deletePathAfterFailure(s, row, e);
                }
                throw e instanceof SQLException se ? database(se, "a row with this id or path name") : (RuntimeException) e;
            }
            LOG.info("created {} source {} ({}), path {}{}", row.type(), row.id(), row.protocol(), row.pathName(),
                    row.enabled() ? "" : " (disabled: no path on the streaming server)");
            return row;
        }
    }

    PageView<SourceView> list(String type, Boolean enabled, boolean withStatus, int page, int pageSize) {
        if (type != null && !SourceRow.PULL.equals(type) && !SourceRow.PUSH.equals(type)) {
            throw new ApiException(400, "bad_request", "invalid request: type must be pull or push",
                    Map.of("type", "must be pull or push"), null);
        }
        PageView<SourceRow> rows;
        try {
            rows = store.list(type, enabled, page, pageSize);
        } catch (SQLException e) {
            throw database(e, null);
        }
        if (!withStatus) {
            return rows.map(this::view);
        }
        if (rows.items().stream().noneMatch(SourceRow::enabled)) {
            return rows.map(r -> view(r, statusOf(r, Optional.empty())));
        }
        // One listing of the server's paths for the page, not one call per row.
        Map<String, PathState> live = livePaths(server());
        return rows.map(r -> view(r, statusOf(r, Optional.ofNullable(live.get(r.pathName())))));
    }

    SourceView get(String id) {
        return view(require(id));
    }

    SourceView update(String id, SourceRequest request) {
        return locked(id, () -> {
            SourceRow current = require(id);
            SourceRow next = SourceRules.forUpdate(current, request, now());
            return view(apply(current, next, false));
        });
    }

    /** Turns a source on (adds its path; on an enabled source: re-applies the row) or off (deletes its path). */
    SourceView setEnabled(String id, boolean on) {
        return locked(id, () -> {
            SourceRow current = require(id);
            if (on && current.enabled()) {
                StreamingServer s = server();
                try (var ignored = mdc(current)) {
                    activate(s, current, true);
                    LOG.info("re-applied source {} to path {}", current.id(), current.pathName());
                }
                return view(current);
            }
            return view(apply(current, current.withEnabled(on, now()), false));
        });
    }

    /** Refuses (409) while assets reference the source; otherwise deletes the path, then the row. */
    void delete(String id) {
        locked(id, () -> {
            SourceRow current = require(id);
            StreamingServer s = current.enabled() ? server() : null;
            boolean[] pathDeleted = {false};
            try (var ignored = mdc(current)) {
                Jdbc.inTransaction(store.dataSource(), c -> {
                    int assets = store.assetCount(c, id);
                    if (assets > 0) {
                        throw referenced(id, assets);
                    }
                    if (!store.delete(c, id)) {
                        throw unknownSource(id);
                    }
                    // Inside the transaction: if MediaMTX refuses, the row stays.
                    if (s != null) {
                        deletePathTolerant(s, current);
                        pathDeleted[0] = true;
                    }
                    return null;
                });
            } catch (SQLException e) {
                if (pathDeleted[0]) {
                    LOG.error("deleted path {} of source {} but could not delete the row; the source stays, "
                            + "enabled without a path: enable it to re-create the path, or delete it again",
                            current.pathName(), id, e);
                }
                if (Jdbc.isConstraintViolation(e)) {
                    throw ApiException.conflict("source " + id + " is referenced by assets", Map.of("source_id", id));
                }
                throw database(e, null);
            }
            LOG.info("deleted source {}, path {}", id, current.pathName());
            return null;
        });
    }

    // ---- live state, preview ----

    StatusView status(String id) {
        SourceRow row = require(id);
        if (!row.enabled()) {
            return statusOf(row, Optional.empty());
        }
        StreamingServer s = server();
        return statusOf(row, call(() -> s.path(row.pathName())));
    }

    PreviewView preview(String id) {
        SourceRow row = require(id);
        PathUrls u = call(() -> server().urls(row.pathName()));
        return new PreviewView(row.id(), row.pathName(), row.enabled(), u.hls(), u.rtsp(), u.rtmp(), u.webrtc(),
                u.srt(), row.isPush() ? u.push() : null);
    }

    ReadyView ready(String id) {
        SourceRow row = require(id);
        if (!row.enabled()) {
            return new ReadyView(row.id(), row.pathName(), false);
        }
        StreamingServer s = server();
        boolean online = call(() -> s.path(row.pathName())).map(PathState::online).orElse(false);
        return new ReadyView(row.id(), row.pathName(), online);
    }

    // ---- recording and playback ----

    /**
     * Switches recording and stores the choice. A disabled source only stores it: it takes effect when the source
     * is enabled. On an enabled source the streaming server is told even when nothing changes (re-sync).
     */
    RecordStatusView record(String id, boolean on) {
        return locked(id, () -> {
            SourceRow current = require(id);
            SourceRow next = apply(current, current.withRecordEnabled(on, now()), true);
            return recordStatus(next, next.enabled() ? on : false);
        });
    }

    RecordStatusView recordStatus(String id) {
        SourceRow row = require(id);
        if (!row.enabled()) {
            return recordStatus(row, false);
        }
        StreamingServer s = server();
        boolean recording = call(() -> s.pathConfig(row.pathName()))
                .map(c -> Boolean.TRUE.equals(c.record())).orElse(false);
        return recordStatus(row, recording);
    }

    /**
     * Sessions (contiguous stretches, as the playback server merges them) and files (one per recorded segment,
     * from the recordings list) of a source's path.
     */
    RecordingsView recordings(String id) {
        SourceRow row = require(id);
        StreamingServer s = server();
        String path = row.pathName();
        List<PlaybackSegment> spans = new ArrayList<>(call(() -> s.playbackSegments(path, null, null)));
        spans.sort(Comparator.comparing(PlaybackSegment::start));
        List<Instant> starts = new ArrayList<>(call(() -> s.recordings(path)));
        starts.sort(Comparator.naturalOrder());

        List<SessionView> sessions = new ArrayList<>();
        for (PlaybackSegment span : spans) {
            Instant end = end(span);
            int files = (int) starts.stream().filter(t -> !t.isBefore(span.start()) && t.isBefore(end)).count();
            sessions.add(new SessionView(span.start(), end, span.duration_s(), files, span.url()));
        }
        List<FileView> files = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            Instant start = starts.get(i);
            Optional<PlaybackSegment> span = spans.stream()
                    .filter(p -> !start.isBefore(p.start()) && start.isBefore(end(p))).findFirst();
            if (span.isEmpty()) {
                files.add(new FileView(start, null, null,
                        call(() -> s.playbackUrl(path, start, DEFAULT_PLAYBACK))));
                continue;
            }
            Instant spanEnd = end(span.get());
            Instant next = i + 1 < starts.size() ? starts.get(i + 1) : null;
            Instant end = next != null && next.isBefore(spanEnd) ? next : spanEnd;
            Duration d = Duration.between(start, end);
            files.add(new FileView(start, end, d.toMillis() / 1000.0, call(() -> s.playbackUrl(path, start, d))));
        }
        return new RecordingsView(row.id(), path, sessions, files);
    }

    PlaybackView playback(String id, Instant start, Duration duration) {
        SourceRow row = require(id);
        Duration d = duration == null ? DEFAULT_PLAYBACK : duration;
        String url = call(() -> server().playbackUrl(row.pathName(), start, d));
        return new PlaybackView(row.id(), row.pathName(), start, d.toMillis() / 1000.0, url);
    }

    List<PlaybackSegment> playbackSegments(String id, Instant start, Instant end) {
        SourceRow row = require(id);
        return call(() -> server().playbackSegments(row.pathName(), start, end));
    }

    // ---- for AssetService ----

    SourceRow require(String id) {
        try {
            return store.find(id).orElseThrow(() -> unknownSource(id));
        } catch (SQLException e) {
            throw database(e, null);
        }
    }

    /** The streaming server, or 503 when no adapter is bound. */
    StreamingServer server() {
        StreamingServer s = streamingServer;
        if (s == null) {
            throw new ApiException(503, Reason.UNAVAILABLE.code(), NO_SERVER);
        }
        return s;
    }

    static ApiException unknownSource(String id) {
        return ApiException.notFound("unknown source " + id);
    }

    /** The API error for a streaming-server failure: its reason's status and code. */
    static ApiException mapped(StreamingServerException e) {
        String message = e.reason() == Reason.UNAVAILABLE ? "streaming server unavailable: " + e.getMessage()
                : e.getMessage();
        return new ApiException(e.reason().status(), e.reason().code(), message, Map.of(), e);
    }

    /** The API error for a database failure; a constraint violation is a conflict with {@code conflictWith}. */
    static ApiException database(SQLException e, String conflictWith) {
        if (conflictWith != null && Jdbc.isConstraintViolation(e)) {
            return new ApiException(409, "conflict", conflictWith + " exists already: " + e.getMessage(), Map.of(),
                    e);
        }
        return new ApiException(503, "database_unavailable", "the database is not available: " + e.getMessage(),
                Map.of(), e);
    }

    // ---- internals ----

    /**
     * Brings the streaming server in line with {@code next}, then stores it; undoes the server steps when a later
     * step fails. {@code reassertRecording}: tell the server the recording flag even when it did not change.
     */
    private SourceRow apply(SourceRow current, SourceRow next, boolean reassertRecording) {
        String path = current.pathName();
        boolean urlChanged = !Objects.equals(current.url(), next.url());
        boolean recordChanged = current.recordEnabled() != next.recordEnabled() || reassertRecording;
        boolean touchesServer = current.enabled() != next.enabled()
                || (next.enabled() && ((urlChanged && !next.isPush()) || recordChanged));
        StreamingServer s = touchesServer ? server() : null;
        Deque<Step> undo = new ArrayDeque<>();
        try (var ignored = mdc(current)) {
            try {
                if (current.enabled() && !next.enabled()) {
                    deletePathTolerant(s, current);
                    undo.push(new Step("re-add path " + path, () -> activate(s, current, true)));
                } else if (!current.enabled() && next.enabled()) {
                    activate(s, next, true);
                    undo.push(new Step("delete path " + path, () -> s.deletePath(path)));
                } else if (next.enabled()) {
                    try {
                        if (urlChanged && !next.isPush()) {
                            s.patchPath(path, PathConfig.pull(next.url()));
                            undo.push(new Step("restore the url of path " + path,
                                    () -> s.patchPath(path, PathConfig.pull(current.url()))));
                        }
                        if (recordChanged) {
                            s.setRecording(path, next.recordEnabled());
                            undo.push(new Step("restore recording of path " + path,
                                    () -> s.setRecording(path, current.recordEnabled())));
                        }
                    } catch (StreamingServerException e) {
                        if (e.reason() != Reason.NOT_FOUND) {
                            throw e;
                        }
                        // The server lost the path (e.g. it restarted): create it from the new row.
                        LOG.warn("path {} of source {} was missing on the streaming server; adding it again", path,
                                current.id());
                        undo.clear();
                        activate(s, next, true);
                        undo.push(new Step("delete path " + path, () -> s.deletePath(path)));
                    }
                }
                boolean found = Jdbc.inTransaction(store.dataSource(), c -> store.update(c, next));
                if (!found) {
                    throw unknownSource(current.id());
                }
            } catch (SQLException | RuntimeException e) {
                revert(undo, current, e);
                if (e instanceof SQLException se) {
                    throw database(se, null);
                }
                throw e instanceof StreamingServerException sse ? mapped(sse) : (RuntimeException) e;
            }
            LOG.info("updated source {}: enabled {}, recording {}", current.id(), next.enabled(),
                    next.recordEnabled());
            return next;
        }
    }

    /**
     * Adds the path of an enabled row and sets its recording flag. {@code adopt}: a path of that name already there
     * is replaced (the random suffix makes the name ours); otherwise that is a 409. When setting the recording flag
     * fails, the path is removed again.
     */
    private void activate(StreamingServer s, SourceRow row, boolean adopt) {
        String path = row.pathName();
        PathConfig config = row.isPush() ? PathConfig.publisher() : PathConfig.pull(row.url());
        boolean replaced = false;
        try {
            s.addPath(path, config);
        } catch (StreamingServerException e) {
            if (!adopt || e.reason() != Reason.CONFLICT) {
                throw mapped(e);
            }
            call(() -> {
                s.replacePath(path, config);
                return null;
            });
            replaced = true;
        }
        if (row.recordEnabled() || replaced) {
            try {
                s.setRecording(path, row.recordEnabled());
            } catch (StreamingServerException e) {
                deletePathAfterFailure(s, row, e);
                throw mapped(e);
            }
        }
    }

    /** Deletes a path; one that is already gone is fine. Other failures become the API error. */
    private static void deletePathTolerant(StreamingServer s, SourceRow row) {
        try {
            s.deletePath(row.pathName());
        } catch (StreamingServerException e) {
            if (e.reason() != Reason.NOT_FOUND) {
                throw mapped(e);
            }
        }
    }

    /** Rollback of an add: never throws; an orphan left behind is logged at ERROR with its name. */
    private static void deletePathAfterFailure(StreamingServer s, SourceRow row, Throwable cause) {
        try {
            s.deletePath(row.pathName());
            LOG.info("rolled back: removed path {} after {}", row.pathName(), cause.toString());
        } catch (StreamingServerException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                return;
            }
            cause.addSuppressed(e);
            LOG.error("rollback failed: MediaMTX path {} is left as an orphan (delete it by hand: "
                    + "DELETE /v3/config/paths/delete/{}): {}", row.pathName(), row.pathName(), e.toString());
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.error("rollback failed: MediaMTX path {} is left as an orphan (delete it by hand: "
                    + "DELETE /v3/config/paths/delete/{})", row.pathName(), row.pathName(), e);
        }
    }

    private record Step(String what, Runnable action) {
    }

    private static void revert(Deque<Step> undo, SourceRow row, Throwable cause) {
        while (!undo.isEmpty()) {
            Step step = undo.pop();
            try {
                step.action().run();
                LOG.info("rolled back: {} after {}", step.what(), cause.toString());
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
                LOG.error("rollback failed: could not {} of source {}; the streaming server now differs from the "
                        + "stored source (enable the source again to re-apply it)", step.what(), row.id(), e);
            }
        }
    }

    /** Every path the streaming server has now, by name, read page by page. */
    private Map<String, PathState> livePaths(StreamingServer s) {
        Map<String, PathState> out = new HashMap<>();
        for (int page = 0;; page++) {
            int p = page;
            Page<PathState> paths = call(() -> s.paths(p, PATHS_PAGE));
            paths.items().forEach(x -> out.put(x.name(), x));
            if (page + 1 >= paths.page_count() || paths.items().isEmpty()) {
                return out;
            }
        }
    }

    /** A row's status from its path's state on the streaming server (empty: the server has no such path). */
    private static StatusView statusOf(SourceRow row, Optional<PathState> state) {
        if (!row.enabled()) {
            return new StatusView(row.id(), row.pathName(), "disabled", false, null, null, null, null, null, null);
        }
        if (state.isEmpty()) {
            return new StatusView(row.id(), row.pathName(), "missing", false, null, null, null, null, null, null);
        }
        PathState p = state.get();
        return new StatusView(row.id(), row.pathName(), p.online() ? "online" : "offline", p.online(),
                p.online_time(), p.source_type(), p.tracks(), p.bytes_received(), p.bytes_sent(), p.readers());
    }

    private static RecordStatusView recordStatus(SourceRow row, boolean recording) {
        return new RecordStatusView(row.id(), row.pathName(), row.enabled(), row.recordEnabled(), recording);
    }

    private SourceView view(SourceRow r) {
        return view(r, null);
    }

    private SourceView view(SourceRow r, StatusView status) {
        return new SourceView(r.id(), r.name(), r.pathName(), r.type(), Urls.redact(r.url()), r.protocol(),
                r.enabled(), r.recordEnabled(), r.createdAt(), r.updatedAt(), r.isPush() ? pushUrl(r) : null, status);
    }

    /** Where a push source publishes; null while no streaming server is bound (the row is still worth showing). */
    private String pushUrl(SourceRow r) {
        StreamingServer s = streamingServer;
        if (s == null) {
            return null;
        }
        try {
            return s.urls(r.pathName()).push();
        } catch (RuntimeException e) {
            LOG.debug("no push URL for {}", r.pathName(), e);
            return null;
        }
    }

    private static Instant end(PlaybackSegment p) {
        return p.start().plusMillis(Math.round(p.duration_s() * 1000));
    }

    private static <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (StreamingServerException e) {
            throw mapped(e);
        }
    }

    private <T> T locked(String id, Supplier<T> action) {
        ReentrantLock lock = locks[Math.floorMod(id.hashCode(), STRIPES)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static ApiException referenced(String id, int assets) {
        return ApiException.conflict("source " + id + " is referenced by " + assets + (assets == 1 ? " asset" :
                " assets") + "; delete " + (assets == 1 ? "it" : "them") + " first",
                Map.of("source_id", id, "asset_count", assets));
    }

    private static MdcScope mdc(SourceRow row) {
        return new MdcScope(MDC.putCloseable("source_id", row.id()), MDC.putCloseable("stream_id", row.pathName()));
    }

    /** The source's ids in the logging context for as long as it is open. */
    private record MdcScope(MDC.MDCCloseable source, MDC.MDCCloseable stream) implements AutoCloseable {
        @Override
        public void close() {
            stream.close();
            source.close();
        }
    }
}
