package io.flux.media.sources.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.streaming.StreamingServerException.Reason;
import io.flux.media.sources.internal.Views.AssetView;
import io.flux.media.sources.internal.Views.SourceView;
import io.flux.media.testing.TestDatabase;

/** The resources called directly: parameters, validation and how failures become API errors. */
class ResourcesTest {

    FakeStreamingServer mtx;
    SourceService sourceService;
    SourcesResource sources;
    AssetsResource assets;

    @BeforeEach
    void setUp() {
        TestDatabase db = TestDatabase.h2();
        mtx = new FakeStreamingServer();
        sourceService = new SourceService(db, mtx, Clock.systemUTC());
        sources = new SourcesResource(sourceService);
        assets = new AssetsResource(new AssetService(db, sourceService));
    }

    static ApiException error(Runnable call, int status) {
        try {
            call.run();
        } catch (ApiException e) {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            return e;
        }
        throw new AssertionError("expected " + status);
    }

    @Test
    void queryParametersAreCheckedAndNamed() {
        assertThat(error(() -> sources.list(null, null, null, "0", null), 400).details()).containsKey("page");
        assertThat(error(() -> sources.list(null, null, null, null, "501"), 400).details())
                .containsKey("page_size");
        assertThat(error(() -> sources.list(null, "yes", null, null, null), 400).details()).containsKey("enabled");
        assertThat(error(() -> sources.list(null, null, "1", null, null), 400).details())
                .containsKey("with_status");
        assertThat(error(() -> sources.list("relay", null, null, null, null), 400).details()).containsKey("type");
        assertThat(error(() -> assets.list(null, null, null, null, "x", null), 400).details()).containsKey("page");
        PageView<SourceView> empty = sources.list(null, null, null, null, null);
        assertThat(empty.page()).isEqualTo(1);
        assertThat(empty.page_size()).isEqualTo(50);
        assertThat(empty.page_count()).isZero();
    }

    @Test
    void playbackNeedsAnRfc3339Start() {
        String id = sources.createSource(new SourceRequest("c", "pull", "rtsp://c/x", null, null, null)).id();
        assertThat(error(() -> sources.playback(id, null, null), 400).details()).containsKey("start");
        assertThat(error(() -> sources.playback(id, "yesterday", null), 400).details()).containsKey("start");
        assertThat(error(() -> sources.playback(id, "2026-11-22T10:00:00Z", "-1"), 400).details())
                .containsKey("duration");
        assertThat(error(() -> sources.playback(id, "2026-11-22T10:00:00Z", "abc"), 400).details())
                .containsKey("duration");
        assertThat(sources.playback(id, "2026-11-22T18:00:00+08:00", "2.5").url())
                .contains("start=2026-11-22T10:00:00Z").contains("duration=2.5");
        assertThat(error(() -> sources.playbackSegments(id, "2026-11-22T10:00:00Z", "2026-11-22T09:00:00Z"), 400)
                .details()).containsKey("end");
        String asset = assets.createAsset(new AssetRequest(null, null, "a", null, id, null)).id();
        assertThat(error(() -> assets.playback(asset, null, null), 400).details()).containsKey("start");
        assertThat(error(() -> assets.playback("nope", "2026-11-22T10:00:00Z", null), 404).getMessage())
                .isEqualTo("unknown asset nope");
    }

    @Test
    void aBadBodyIs400NamingEachField() {
        ApiException e = error(() -> sources.createSource(new SourceRequest("", "pull", "gopher://x", null, null,
                null)), 400);
        assertThat(e.details()).containsOnlyKeys("name", "url");
        assertThat(e.code()).isEqualTo("bad_request");
        assertThat(error(() -> sources.createSource(null), 400).getMessage()).contains("JSON body");
        assertThat(error(() -> assets.createAsset(null), 400).getMessage()).contains("JSON body");
        assertThat(mtx.calls).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void streamingServerFailuresKeepTheirStatusAndCode(Reason reason) {
        mtx.fail("addPath", reason);
        ApiException e = error(() -> sources.createSource(new SourceRequest("c", "push", null, null, null, null)),
                reason.status());
        assertThat(e.code()).isEqualTo(reason.code());
        if (reason == Reason.UNAVAILABLE) {
            assertThat(e.getMessage()).startsWith("streaming server unavailable");
        }
        assertThat(sources.list(null, null, null, null, null).item_count()).isZero();
    }

    @Test
    void withoutTheAdapterEveryMediaMtxEndpointIs503() {
        SourceView s = sources.createSource(new SourceRequest("c", "pull", "rtsp://c/x", null, null, null));
        AssetView a = assets.createAsset(new AssetRequest(null, null, "a", null, s.id(), null));
        sourceService.streamingServer(null);
        List<Runnable> calls = List.of(() -> sources.status(s.id()), () -> sources.preview(s.id()),
                () -> sources.ready(s.id()), () -> sources.recordStart(s.id()), () -> sources.recordStop(s.id()),
                () -> sources.recordStatus(s.id()), () -> sources.recordSessions(s.id()),
                () -> sources.recordFiles(s.id()), () -> sources.playback(s.id(), "2026-11-22T10:00:00Z", null),
                () -> sources.playbackSegments(s.id(), null, null), () -> sources.enable(s.id()),
                () -> sources.disable(s.id()), () -> sources.delete(s.id()),
                () -> sources.list(null, null, "true", null, null),
                () -> sources.createSource(new SourceRequest("d", "push", null, null, null, null)),
                () -> assets.createAsset(new AssetRequest(null, null, "n", "rtsp://c/y", null, null)),
                () -> assets.preview(a.id()), () -> assets.status(a.id()), () -> assets.recordStart(a.id()),
                () -> assets.recordStatus(a.id()), () -> assets.recordings(a.id()));
        for (Runnable call : calls) {
            ApiException e = error(call, 503);
            assertThat(e.code()).isEqualTo("streaming_server_unavailable");
            assertThat(e.getMessage()).isEqualTo(SourceService.NO_SERVER);
        }
        // What needs only the database still answers.
        assertThat(sources.get(s.id()).id()).isEqualTo(s.id());
        assertThat(assets.get(a.id()).name()).isEqualTo("a");
        assertThat(sources.list(null, null, null, null, null).item_count()).isEqualTo(1);
        // Back again without a restart.
        sourceService.streamingServer(mtx);
        assertThat(sources.status(s.id()).state()).isEqualTo("offline");
    }

    @Test
    void deleteOfAReferencedSourceIs409AndUnknownIdsAre404() {
        SourceView s = sources.createSource(new SourceRequest("c", "pull", "rtsp://c/x", null, null, null));
        assets.createAsset(new AssetRequest(null, null, "a", null, s.id(), null));
        ApiException e = error(() -> sources.delete(s.id()), 409);
        assertThat(e.getMessage()).contains("1 asset");
        assertThat(e.details()).isEqualTo(Map.of("source_id", s.id(), "asset_count", 1));
        error(() -> sources.get("00000000-0000-0000-0000-000000000000"), 404);
        error(() -> assets.get("nope"), 404);
        error(() -> assets.update("nope", new AssetRequest(null, null, "x", null, null, null)), 404);
        error(() -> assets.delete("nope"), 404);
        error(() -> assets.recordStart("nope"), 404);
    }
}
