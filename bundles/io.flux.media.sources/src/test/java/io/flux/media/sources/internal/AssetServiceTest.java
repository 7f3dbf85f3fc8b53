package io.flux.media.sources.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.rest.ApiException;
import io.flux.media.sources.internal.Views.AssetView;
import io.flux.media.sources.internal.Views.SourceView;
import io.flux.media.testing.TestDatabase;

/** Stream assets on a real database (H2 here, PostgreSQL in the subclass) and the in-memory MediaMTX. */
class AssetServiceTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @AutoClose
    TestDatabase db;
    FailingDatabase database;
    FakeStreamingServer mtx;
    SourceService sources;
    AssetService assets;

    TestDatabase newDatabase() throws SQLException {
        return TestDatabase.h2();
    }

    @BeforeEach
    void setUp() throws SQLException {
        db = newDatabase();
        database = new FailingDatabase(db);
        mtx = new FakeStreamingServer();
        sources = new SourceService(database, mtx, Clock.fixed(T0, ZoneOffset.UTC));
        assets = new AssetService(database, sources);
    }

    static AssetRequest byUrl(String name, String url, String... tags) {
        return new AssetRequest("stream", "live", name, url, null, List.of(tags));
    }

    long rows(String table) throws SQLException {
        return db.queryLong("SELECT COUNT(*) FROM " + table);
    }

    void assertNothingLeft() throws SQLException {
        assertThat(rows("media_source")).isZero();
        assertThat(rows("media_asset")).isZero();
        assertThat(rows("media_asset_tag")).isZero();
        assertThat(mtx.paths).as("no orphan path").isEmpty();
    }

    @Test
    void aStreamUrlCreatesSourceAndAssetInOneGo() throws SQLException {
        AssetView a = assets.create(byUrl("Gate", "rtsp://10.0.0.7/live", "outdoor", "north", "outdoor"));
        assertThat(a.type()).isEqualTo("stream");
        assertThat(a.source_type()).isEqualTo("live");
        assertThat(a.tags()).containsExactly("outdoor", "north");
        SourceView s = sources.get(a.source_id());
        assertThat(s.type()).isEqualTo("pull");
        assertThat(s.url()).isEqualTo("rtsp://10.0.0.7/live");
        assertThat(a.path()).isEqualTo(s.path_name()).matches("live/Gate-[0-9a-f]{8}");
        assertThat(mtx.paths.get(a.path()).source()).isEqualTo("rtsp://10.0.0.7/live");
        assertThat(assets.get(a.id())).isEqualTo(a);
    }

    @Test
    void aFailedAssetInsertRollsBackSourceRowAndPath() throws SQLException {
        database.failStatementsStartingWith("INSERT INTO media_asset (");
        assertThatThrownBy(() -> assets.create(byUrl("Gate", "rtsp://10.0.0.7/live", "t")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(mtx.count("addPath")).isEqualTo(1);
        assertNothingLeft();
    }

    @Test
    void aFailedTagInsertRollsBackEverything() throws SQLException {
        database.failStatementsStartingWith("INSERT INTO media_asset_tag");
        assertThatThrownBy(() -> assets.create(byUrl("Gate", "rtsp://10.0.0.7/live", "t")))
                .isInstanceOf(ApiException.class);
        assertNothingLeft();
    }

    @Test
    void aFailedSourceInsertRollsBackThePath() throws SQLException {
        database.failStatementsStartingWith("INSERT INTO media_source");
        assertThatThrownBy(() -> assets.create(byUrl("Gate", "rtsp://10.0.0.7/live")))
                .isInstanceOf(ApiException.class);
        assertNothingLeft();
    }

    @Test
    void streamingServerDownIs503WithNoResidue() throws SQLException {
        mtx.unavailable = true;
        assertThatThrownBy(() -> assets.create(byUrl("Gate", "rtsp://10.0.0.7/live")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).startsWith("streaming server unavailable");
                });
        sources.streamingServer(null);
        assertThatThrownBy(() -> assets.create(byUrl("Gate", "rtsp://10.0.0.7/live")))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.getMessage()).isEqualTo(SourceService.NO_SERVER));
        assertNothingLeft();
    }

    @Test
    void anAssetOnAnExistingSource() {
        SourceView s = sources.create(new SourceRequest("Door", "push", null, null, null, null));
        AssetView a = assets.create(new AssetRequest(null, null, "Door asset", null, s.id(), List.of("x")));
        assertThat(a.source_id()).isEqualTo(s.id());
        assertThat(a.path()).isEqualTo(s.path_name());
        assertThat(mtx.count("addPath")).as("no second path").isEqualTo(1);
        assertThatThrownBy(() -> assets.create(new AssetRequest(null, null, "n", null, "no-such-source", null)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("unknown source no-such-source");
                });
    }

    @Test
    void validationNamesEveryField() throws SQLException {
        ApiException e = SourceRulesTest.bad(() -> assets.create(new AssetRequest("file", "vod", "", null, null,
                List.of(" "))));
        assertThat(e.details()).containsOnlyKeys("type", "source_type", "name", "tags", "stream_url");
        e = SourceRulesTest.bad(() -> assets.create(new AssetRequest(null, null, "n", "rtsp://c/x", "some-id",
                null)));
        assertThat(e.details()).containsOnlyKeys("source_id");
        e = SourceRulesTest.bad(() -> assets.create(byUrl("n", "ftp://c/x")));
        assertThat(e.details()).containsOnlyKeys("stream_url");
        assertThat(e.details().get("stream_url").toString()).contains("unsupported scheme");
        e = SourceRulesTest.bad(() -> assets.create(byUrl("n", "rtsp://c/x", "t".repeat(65))));
        assertThat(e.details()).containsOnlyKeys("tags");
        assertThat(mtx.calls).isEmpty();
        assertNothingLeft();
    }

    @Test
    void deletingAnAssetKeepsItsSourceAndPath() throws SQLException {
        AssetView a = assets.create(byUrl("Gate", "rtsp://10.0.0.7/live", "t"));
        assets.delete(a.id());
        assertThat(rows("media_asset")).isZero();
        assertThat(rows("media_asset_tag")).isZero();
        assertThat(sources.get(a.source_id())).isNotNull();
        assertThat(mtx.paths).containsKey(a.path());
        assertThat(mtx.count("deletePath")).isZero();
        assertThatThrownBy(() -> assets.delete(a.id())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        sources.delete(a.source_id()); // now unreferenced
        assertThat(mtx.paths).isEmpty();
    }

    @Test
    void updateChangesNameAndTagsOnly() {
        AssetView a = assets.create(byUrl("Gate", "rtsp://10.0.0.7/live", "a", "b"));
        AssetView u = assets.update(a.id(), new AssetRequest(null, null, "Gate 2", null, null, List.of("c")));
        assertThat(u.name()).isEqualTo("Gate 2");
        assertThat(u.tags()).containsExactly("c");
        assertThat(assets.get(a.id())).isEqualTo(u);
        assertThat(assets.update(a.id(), new AssetRequest(null, null, null, null, null, null)).tags())
                .containsExactly("c");
        ApiException e = SourceRulesTest.bad(() -> assets.update(a.id(), new AssetRequest("stream", null, null,
                "rtsp://other/x", "other", null)));
        assertThat(e.details()).containsOnlyKeys("source_id", "stream_url");
    }

    @Test
    void listFiltersByTypeSourceTagAndName() {
        AssetView a = assets.create(byUrl("North Gate", "rtsp://c/1", "outdoor"));
        AssetView b = assets.create(byUrl("Lobby 100%", "rtsp://c/2", "indoor"));
        assets.create(new AssetRequest(null, null, "Lobby second", null, b.source_id(), List.of("indoor", "x")));
        AssetView second = assets.list(null, null, null, "second", 1, 50).items().get(0);
        assertThat(second.tags()).containsExactly("indoor", "x");
        assertThat(assets.list(null, null, null, null, 1, 50).item_count()).isEqualTo(3);
        assertThat(assets.list(null, null, "indoor", null, 1, 50).items()).hasSize(2);
        assertThat(assets.list(null, b.source_id(), null, null, 1, 50).items()).hasSize(2);
        assertThat(assets.list(null, null, null, "GATE", 1, 50).items()).extracting(AssetView::id)
                .containsExactly(a.id());
        assertThat(assets.list(null, null, null, "0%", 1, 50).items()).extracting(AssetView::name)
                .containsExactly("Lobby 100%");
        assertThat(assets.list(null, null, null, "_", 1, 50).items()).isEmpty();
        assertThat(assets.list("stream", null, "indoor", "second", 1, 50).items()).hasSize(1);
        PageView<AssetView> p = assets.list(null, null, null, null, 2, 2);
        assertThat(p.page_count()).isEqualTo(2);
        assertThat(p.items()).hasSize(1);
        List<String> firstPage = assets.list(null, null, null, null, 1, 2).items().stream().map(AssetView::id)
                .toList();
        assertThat(firstPage).hasSize(2).doesNotContain(p.items().get(0).id());
    }

    @Test
    void streamEndpointsDelegateToTheSource() {
        AssetView a = assets.create(byUrl("Gate", "rtsp://10.0.0.7/live"));
        assertThat(assets.preview(a.id()).hls()).contains(a.path());
        assertThat(assets.status(a.id()).state()).isEqualTo("offline");
        assertThat(assets.record(a.id(), true).recording()).isTrue();
        assertThat(mtx.paths.get(a.path()).record()).isTrue();
        assertThat(assets.recordStatus(a.id()).record_enabled()).isTrue();
        mtx.record(a.path(), T0, 2, 10);
        assertThat(assets.recordings(a.id()).files()).hasSize(2);
        assertThat(assets.playback(a.id(), T0, null).url()).contains(a.path());
        assertThatThrownBy(() -> assets.status("nope")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getMessage()).isEqualTo("unknown asset nope"));
    }
}
