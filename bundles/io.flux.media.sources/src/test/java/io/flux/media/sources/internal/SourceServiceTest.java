package io.flux.media.sources.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flux.media.api.rest.ApiException;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.StreamingServerException.Reason;
import io.flux.media.sources.internal.Views.PreviewView;
import io.flux.media.sources.internal.Views.RecordingsView;
import io.flux.media.sources.internal.Views.SourceView;
import io.flux.media.sources.internal.Views.StatusView;
import io.flux.media.testing.TestDatabase;

/** The source service on a real database (H2 here, PostgreSQL in the subclass) and the in-memory MediaMTX. */
class SourceServiceTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    /** The test's database, closed after it (which drops a PostgreSQL schema). */
    @AutoClose
    TestDatabase db;
    FailingDatabase database;
    FakeStreamingServer mtx;
    SourceService service;
    ListAppender<ILoggingEvent> log;

    TestDatabase newDatabase() throws SQLException {
        return TestDatabase.h2();
    }

    @BeforeEach
    void setUp() throws SQLException {
        db = newDatabase();
        database = new FailingDatabase(db);
        mtx = new FakeStreamingServer();
        service = new SourceService(database, mtx, Clock.fixed(T0, ZoneOffset.UTC));
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(SourceService.class)).addAppender(log);
    }

    @AfterEach
    void detachLog() {
        ((Logger) LoggerFactory.getLogger(SourceService.class)).detachAppender(log);
    }

    static SourceRequest pull(String name, String url) {
        return new SourceRequest(name, "pull", url, null, null, null);
    }

    long rows(String table) throws SQLException {
        return db.queryLong("SELECT COUNT(*) FROM " + table);
    }

    @Test
    void createPullAddsThePathWithTheUrlThenStoresTheRow() throws SQLException {
        SourceView v = service.create(pull("Lobby Camera", "rtsp://10.0.0.5/main"));
        assertThat(v.path_name()).matches("live/Lobby-Camera-[0-9a-f]{8}");
        assertThat(v.type()).isEqualTo("pull");
        assertThat(v.protocol()).isEqualTo("rtsp");
        assertThat(v.enabled()).isTrue();
        assertThat(v.push_url()).isNull();
        assertThat(v.created_at()).isEqualTo(T0);
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("rtsp://10.0.0.5/main");
        assertThat(mtx.paths.get(v.path_name()).record()).isNull();
        assertThat(service.get(v.id())).isEqualTo(v);
        assertThat(rows("media_source")).isEqualTo(1);
    }

    @Test
    void pushSourcesArePublisherPathsAndCarryPushUrl() {
        SourceView v = service.create(new SourceRequest("Door", "push", null, null, null, null));
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("publisher");
        assertThat(v.push_url()).isEqualTo("rtmp://media.test:1935/" + v.path_name());
        assertThat(service.get(v.id()).push_url()).isEqualTo(v.push_url());
        PreviewView p = service.preview(v.id());
        assertThat(p.push_url()).isEqualTo(v.push_url());
        assertThat(p.hls()).isEqualTo("http://media.test:8888/" + v.path_name() + "/index.m3u8");
        assertThat(service.preview(service.create(pull("c", "rtsp://c/x")).id()).push_url()).isNull();
    }

    @Test
    void twoSourcesWithTheSameNameGetTwoPaths() {
        SourceView a = service.create(pull("大门 / # ? ..", "rtsp://c/1"));
        SourceView b = service.create(pull("大门 / # ? ..", "rtsp://c/2"));
        assertThat(a.path_name()).isNotEqualTo(b.path_name()).startsWith("live/stream-");
        assertThat(mtx.paths).containsKeys(a.path_name(), b.path_name());
    }

    @Test
    void recordEnabledOnCreateTurnsRecordingOnAfterTheAdd() {
        SourceView v = service.create(new SourceRequest("r", "pull", "rtsp://c/x", null, true, true));
        assertThat(mtx.calls).containsSubsequence("addPath " + v.path_name(), "setRecording " + v.path_name());
        assertThat(mtx.paths.get(v.path_name()).record()).isTrue();
        assertThat(service.recordStatus(v.id()).recording()).isTrue();
    }

    @Test
    void aFailedInsertRemovesThePathAgain() throws SQLException {
        database.failStatementsStartingWith("INSERT INTO media_source");
        assertThatThrownBy(() -> service.create(pull("cam", "rtsp://c/x")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.code()).isEqualTo("database_unavailable");
                });
        assertThat(mtx.count("addPath")).isEqualTo(1);
        assertThat(mtx.count("deletePath")).isEqualTo(1);
        assertThat(mtx.paths).as("no orphan path").isEmpty();
        assertThat(rows("media_source")).isZero();
    }

    @Test
    void aFailedRollbackIsLoggedWithTheOrphansName() throws SQLException {
        database.failStatementsStartingWith("INSERT INTO media_source");
        mtx.fail("deletePath", Reason.UNAVAILABLE);
        assertThatThrownBy(() -> service.create(pull("cam", "rtsp://c/x")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("database_unavailable");
                    assertThat(e.getCause().getSuppressed()).hasSize(1);
                });
        String orphan = mtx.paths.keySet().iterator().next();
        assertThat(log.list).anySatisfy(ev -> {
            assertThat(ev.getLevel()).isEqualTo(Level.ERROR);
            assertThat(ev.getFormattedMessage()).contains("orphan").contains(orphan);
        });
        assertThat(rows("media_source")).isZero();
    }

    @Test
    void streamingServerDownIs503WithNoResidue() throws SQLException {
        mtx.unavailable = true;
        assertThatThrownBy(() -> service.create(pull("cam", "rtsp://c/x")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.code()).isEqualTo("streaming_server_unavailable");
                    assertThat(e.getMessage()).startsWith("streaming server unavailable");
                });
        assertThat(rows("media_source")).isZero();
    }

    @Test
    void noAdapterBoundIs503WithNoResidue() throws SQLException {
        service.streamingServer(null);
        assertThatThrownBy(() -> service.create(new SourceRequest("d", "push", null, null, null, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).isEqualTo(SourceService.NO_SERVER);
                });
        assertThat(rows("media_source")).isZero();
        // Reading rows still works; push_url needs the adapter and is left out.
        service.streamingServer(mtx);
        SourceView v = service.create(new SourceRequest("d", "push", null, null, null, null));
        service.streamingServer(null);
        assertThat(service.get(v.id()).push_url()).isNull();
        assertThatThrownBy(() -> service.status(v.id())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(503));
    }

    @Test
    void anExistingPathIs409WithNoResidue() throws SQLException {
        mtx.fail("addPath", Reason.CONFLICT);
        assertThatThrownBy(() -> service.create(pull("cam", "rtsp://c/x")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThat(rows("media_source")).isZero();
    }

    @Test
    void recordingRefusedOnCreateRemovesThePath() throws SQLException {
        mtx.fail("setRecording", Reason.INVALID);
        assertThatThrownBy(() -> service.create(new SourceRequest("r", "pull", "rtsp://c/x", null, null, true)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(mtx.paths).isEmpty();
        assertThat(rows("media_source")).isZero();
    }

    @Test
    void aDisabledSourceHasNoPathAndEnablingAddsItFromTheRow() {
        SourceView v = service.create(new SourceRequest("c", "pull", "rtsp://c/x", null, false, true));
        assertThat(mtx.paths).isEmpty();
        assertThat(service.status(v.id()).state()).isEqualTo("disabled");
        assertThat(service.ready(v.id()).ready()).isFalse();

        assertThat(service.setEnabled(v.id(), true).enabled()).isTrue();
        PathConfig c = mtx.paths.get(v.path_name());
        assertThat(c.source()).isEqualTo("rtsp://c/x");
        assertThat(c.record()).isTrue();

        assertThat(service.setEnabled(v.id(), false).enabled()).isFalse();
        assertThat(mtx.paths).isEmpty();
        assertThat(service.get(v.id()).enabled()).isFalse();
    }

    @Test
    void disablingWhileTheServerIsDownChangesNothing() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        mtx.unavailable = true;
        assertThatThrownBy(() -> service.setEnabled(v.id(), false)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(503));
        assertThat(service.get(v.id()).enabled()).isTrue();
        assertThat(mtx.paths).containsKey(v.path_name());
    }

    @Test
    void enablingAnEnabledSourceRecreatesAPathTheServerLost() {
        SourceView v = service.create(new SourceRequest("c", "pull", "rtsp://c/x", null, null, true));
        mtx.paths.clear(); // MediaMTX restarted and lost its runtime configuration
        assertThat(service.status(v.id()).state()).isEqualTo("missing");
        service.setEnabled(v.id(), true);
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("rtsp://c/x");
        assertThat(mtx.paths.get(v.path_name()).record()).isTrue();
        // Again, with the path there: adopted (replaced), not a 409.
        service.setEnabled(v.id(), true);
        assertThat(mtx.count("replacePath")).isEqualTo(1);
    }

    @Test
    void updatePatchesTheUrlThenStoresTheRow() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        SourceView u = service.update(v.id(), new SourceRequest("Renamed", null, "rtmp://live/app/k", null, null,
                true));
        assertThat(u.protocol()).isEqualTo("rtmp");
        assertThat(u.name()).isEqualTo("Renamed");
        assertThat(u.path_name()).isEqualTo(v.path_name());
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("rtmp://live/app/k");
        assertThat(mtx.paths.get(v.path_name()).record()).isTrue();
        assertThat(service.get(v.id())).isEqualTo(u);
    }

    @Test
    void aFailedRowUpdateRevertsThePatch() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        database.failStatementsStartingWith("UPDATE media_source");
        assertThatThrownBy(() -> service.update(v.id(), new SourceRequest(null, null, "rtsp://c/y", null, null,
                true))).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("rtsp://c/x");
        assertThat(mtx.paths.get(v.path_name()).record()).isFalse();
        database.failStatementsStartingWith(null);
        assertThat(service.get(v.id()).url()).isEqualTo("rtsp://c/x");

        database.failStatementsStartingWith("UPDATE media_source");
        assertThatThrownBy(() -> service.setEnabled(v.id(), false)).isInstanceOf(ApiException.class);
        assertThat(mtx.paths).as("the disable was undone").containsKey(v.path_name());
    }

    @Test
    void updateOfASourceWhosePathWentMissingAddsItAgain() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        mtx.paths.clear();
        service.update(v.id(), new SourceRequest(null, null, "rtsp://c/y", null, null, null));
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("rtsp://c/y");
    }

    @Test
    void deleteIsRefusedWhileAssetsReferenceTheSource() throws SQLException {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        AssetService assets = new AssetService(database, service);
        assets.create(new AssetRequest(null, null, "a1", null, v.id(), null));
        assets.create(new AssetRequest(null, null, "a2", null, v.id(), null));
        assertThatThrownBy(() -> service.delete(v.id())).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.getMessage()).contains("referenced by 2 assets");
            assertThat(e.details()).containsEntry("asset_count", 2);
        });
        assertThat(mtx.paths).containsKey(v.path_name());
        assertThat(rows("media_source")).isEqualTo(1);
    }

    @Test
    void deleteRemovesThePathThenTheRowAndToleratesAMissingPath() throws SQLException {
        SourceView a = service.create(pull("a", "rtsp://c/x"));
        SourceView b = service.create(pull("b", "rtsp://c/y"));
        service.delete(a.id());
        assertThat(mtx.paths).doesNotContainKey(a.path_name());
        mtx.paths.remove(b.path_name());
        service.delete(b.id());
        assertThat(rows("media_source")).isZero();
        assertThatThrownBy(() -> service.delete(a.id())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void deleteWhileTheServerIsDownKeepsTheRow() throws SQLException {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        mtx.unavailable = true;
        assertThatThrownBy(() -> service.delete(v.id())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(503));
        assertThat(rows("media_source")).isEqualTo(1);
        // A disabled source has no path: it can be deleted without the server.
        mtx.unavailable = false;
        service.setEnabled(v.id(), false);
        service.streamingServer(null);
        service.delete(v.id());
        assertThat(rows("media_source")).isZero();
    }

    @Test
    void statusReportsTheLiveStateOfThePath() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        assertThat(service.status(v.id()).state()).isEqualTo("offline");
        mtx.online.add(v.path_name());
        StatusView s = service.status(v.id());
        assertThat(s.state()).isEqualTo("online");
        assertThat(s.online()).isTrue();
        assertThat(s.tracks()).containsExactly("H264");
        assertThat(service.ready(v.id()).ready()).isTrue();
        SourceView other = service.create(pull("d", "rtsp://d/x"));
        mtx.calls.clear();
        List<SourceView> listed = service.list(null, null, true, 1, 10).items();
        assertThat(listed).extracting(x -> x.status().state()).containsExactlyInAnyOrder("online", "offline");
        assertThat(listed).filteredOn(x -> x.id().equals(other.id())).singleElement()
                .satisfies(x -> assertThat(x.status().online()).isFalse());
        // One listing of the server's paths for the whole page, not one call per source.
        assertThat(mtx.calls).containsExactly("paths ");
        assertThat(service.list(null, null, false, 1, 10).items().get(0).status()).isNull();
    }

    @Test
    void listPagesAndFilters() {
        for (int i = 0; i < 5; i++) {
            service.create(pull("p" + i, "rtsp://c/" + i));
        }
        service.create(new SourceRequest("push", "push", null, null, false, null));
        PageView<SourceView> page = service.list(null, null, false, 2, 4);
        assertThat(page.item_count()).isEqualTo(6);
        assertThat(page.page_count()).isEqualTo(2);
        assertThat(page.items()).hasSize(2);
        assertThat(service.list("push", null, false, 1, 50).items()).extracting(SourceView::name)
                .containsExactly("push");
        assertThat(service.list(null, false, false, 1, 50).items()).hasSize(1);
        assertThat(service.list("pull", true, false, 1, 50).item_count()).isEqualTo(5);
        assertThat(service.list(null, null, false, 3, 4).items()).isEmpty();
    }

    @Test
    void recordStartAndStopSwitchThePathAndTheRow() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        assertThat(service.record(v.id(), true).recording()).isTrue();
        assertThat(mtx.paths.get(v.path_name()).record()).isTrue();
        assertThat(service.get(v.id()).record_enabled()).isTrue();
        assertThat(service.recordStatus(v.id()).recording()).isTrue();
        assertThat(service.record(v.id(), false).recording()).isFalse();
        assertThat(mtx.paths.get(v.path_name()).record()).isFalse();
        assertThat(service.get(v.id()).record_enabled()).isFalse();

        database.failStatementsStartingWith("UPDATE media_source");
        assertThatThrownBy(() -> service.record(v.id(), true)).isInstanceOf(ApiException.class);
        assertThat(mtx.paths.get(v.path_name()).record()).as("reverted").isFalse();
    }

    @Test
    void recordingADisabledSourceIsStoredForLater() {
        SourceView v = service.create(new SourceRequest("c", "pull", "rtsp://c/x", null, false, null));
        service.streamingServer(null);
        assertThat(service.record(v.id(), true).record_enabled()).isTrue();
        service.streamingServer(mtx);
        service.setEnabled(v.id(), true);
        assertThat(mtx.paths.get(v.path_name()).record()).isTrue();
    }

    @Test
    void recordingsGroupFilesIntoSessionsWithPlaybackUrls() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        mtx.record(v.path_name(), T0, 3, 60);
        mtx.record(v.path_name(), T0.plusSeconds(3600), 1, 30);
        RecordingsView r = service.recordings(v.id());
        assertThat(r.sessions()).hasSize(2);
        assertThat(r.sessions().get(0).file_count()).isEqualTo(3);
        assertThat(r.sessions().get(0).end()).isEqualTo(T0.plusSeconds(180));
        assertThat(r.files()).hasSize(4);
        assertThat(r.files().get(1).start()).isEqualTo(T0.plusSeconds(60));
        assertThat(r.files().get(1).duration_s()).isEqualTo(60.0);
        assertThat(r.files().get(3).duration_s()).isEqualTo(30.0);
        assertThat(r.files().get(1).url()).contains("path=" + v.path_name()).contains("start=" + T0.plusSeconds(60))
                .contains("duration=60.0");
    }

    @Test
    void playbackAsksTheServerForTheUrl() {
        SourceView v = service.create(pull("c", "rtsp://c/x"));
        assertThat(service.playback(v.id(), T0, null).url()).contains("duration=60.0");
        assertThat(service.playback(v.id(), T0, Duration.ofSeconds(5)).duration_s()).isEqualTo(5.0);
        mtx.record(v.path_name(), T0, 2, 60);
        assertThat(service.playbackSegments(v.id(), T0.plusSeconds(30), null)).hasSize(1);
        assertThat(service.playbackSegments(v.id(), T0.plusSeconds(500), null)).isEmpty();
        mtx.fail("playbackSegments", Reason.NOT_FOUND);
        assertThatThrownBy(() -> service.playbackSegments(v.id(), null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void urlsWithPasswordsAreMaskedInAnswers() {
        SourceView v = service.create(pull("c", "rtsp://admin:hunter2@cam/x"));
        assertThat(v.url()).isEqualTo("rtsp://admin:***@cam/x");
        assertThat(mtx.paths.get(v.path_name()).source()).isEqualTo("rtsp://admin:hunter2@cam/x");
        assertThat(log.list).noneMatch(e -> e.getFormattedMessage().contains("hunter2"));
    }

    @Test
    void unknownIdsAre404() {
        for (Runnable r : List.<Runnable>of(() -> service.get("nope"), () -> service.status("nope"),
                () -> service.update("nope", new SourceRequest("x", null, null, null, null, null)),
                () -> service.delete("nope"), () -> service.preview("nope"), () -> service.record("nope", true),
                () -> service.recordings("nope"), () -> service.setEnabled("nope", true))) {
            assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(404);
                assertThat(e.getMessage()).isEqualTo("unknown source nope");
            });
        }
    }
}
