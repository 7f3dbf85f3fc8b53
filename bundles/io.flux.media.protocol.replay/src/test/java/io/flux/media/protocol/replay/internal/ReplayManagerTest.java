package io.flux.media.protocol.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.rest.ApiException;
import io.flux.media.api.stream.StreamId;
import io.flux.media.testing.Configs;
import io.flux.media.testing.FakeSink;

/** The REST contract of replays, through the manager the resource delegates to, with a fake sink. */
class ReplayManagerTest {

    @TempDir
    Path root;

    Path media;
    FakeClock clock = FakeClock.frozen();
    FakeSink sink = new FakeSink(clock::nanoTime, 0);
    AtomicInteger loads = new AtomicInteger();
    ReplayManager manager;

    @BeforeEach
    void setUp() throws Exception {
        media = Files.createDirectories(root.resolve("media"));
        Files.write(media.resolve("tiny.h264"), TinyStream.h264(30, 10));
        Files.createDirectories(media.resolve("sub"));
        Files.write(media.resolve("sub/cam.264"), TinyStream.h264(10, 5));
        byte[] garbage = new byte[5000];
        new Random(1).nextBytes(garbage);
        Files.write(media.resolve("garbage.h264"), garbage);
        Files.write(media.resolve("notes.txt"), "hello".getBytes());
        Files.write(root.resolve("outside.h264"), TinyStream.h264(10, 5));
        manager = manager(Map.of());
    }

    private ReplayManager manager(Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>(overrides);
        config.putIfAbsent("media_dir", media.toString());
        return new ReplayManager(sink, Configs.of(ReplayManager.Config.class, config), clock,
                Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC),
                r -> Thread.ofVirtual().unstarted(r), (file, fps) -> {
                    loads.incrementAndGet();
                    return MediaLoader.load(file, fps);
                });
    }

    @AfterEach
    void tearDown() {
        manager.deactivate();
    }

    @Test
    void startsAReplayAsALiveStream() {
        ReplayView view = manager.start(new ReplayRequest("tiny.h264", "cam1", true, null));

        assertThat(view.id()).isEqualTo("cam1");
        assertThat(view.stream_id()).isEqualTo("replay/cam1");
        assertThat(view.file()).isEqualTo("tiny.h264");
        assertThat(view.codec()).isEqualTo("H264");
        assertThat(view.width()).isEqualTo(64);
        assertThat(view.fps()).isEqualTo(30.0);
        assertThat(view.duration_ms()).isEqualTo(1000);
        assertThat(view.state()).isEqualTo("running");
        assertThat(view.started_at()).isEqualTo("2026-11-22T10:00:00Z");
        assertThat(sink.handles).singleElement().satisfies(h -> {
            assertThat(h.id).isEqualTo(StreamId.of("replay/cam1"));
            assertThat(h.protocol).isEqualTo("replay");
        });
        // The frozen clock lets only the sample due at once through.
        await(() -> sink.handles.get(0).pushes.size() == 1);
        assertThat(manager.activeStreams()).containsExactly(StreamId.of("replay/cam1"));
        assertThat(manager.protocol()).isEqualTo("replay");
        assertThat(manager.list()).extracting(ReplayView::id).containsExactly("cam1");
        assertThat(manager.get("cam1").samples_sent()).isEqualTo(1);
    }

    @Test
    void deleteStopsTheReplayAndClosesTheStream() {
        manager.start(new ReplayRequest("tiny.h264", "cam1", true, null));

        manager.delete("cam1");

        assertThat(sink.handles.get(0).closed).isTrue();
        assertThat(manager.activeStreams()).isEmpty();
        assertThat(manager.list()).isEmpty();
        assertThat(manager.cachedFiles()).isZero();
        assertThatThrownBy(() -> manager.get("cam1")).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).status()).isEqualTo(404);
        assertThatThrownBy(() -> manager.delete("cam1")).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).status()).isEqualTo(404);
    }

    @Test
    void nameDefaultsToTheFileNameAndSubdirectoriesWork() {
        ReplayView view = manager.start(new ReplayRequest("sub/cam.264", null, null, null));
        assertThat(view.id()).isEqualTo("cam");
        assertThat(view.loop()).isTrue();
    }

    @Test
    void aRunningNameIsAConflictAndAFinishedOneIsReplaced() {
        FakeClock jumping = FakeClock.jumping();
        manager.deactivate();
        manager = new ReplayManager(sink, Configs.of(ReplayManager.Config.class, Map.of("media_dir", media.toString())),
                jumping, Clock.systemUTC(), r -> Thread.ofVirtual().unstarted(r), MediaLoader::load);
        manager.start(new ReplayRequest("tiny.h264", "once", false, null));
        await(() -> manager.get("once").state().equals("finished"));
        assertThat(sink.handles.get(0).pushes).hasSize(30);
        assertThat(sink.handles.get(0).closed).isTrue();
        assertThat(manager.activeStreams()).isEmpty();

        manager.start(new ReplayRequest("tiny.h264", "once", false, null));
        assertThat(sink.handles).hasSize(2);

        FakeClock frozen = FakeClock.frozen();
        manager.deactivate();
        manager = new ReplayManager(sink, Configs.of(ReplayManager.Config.class, Map.of("media_dir", media.toString())),
                frozen, Clock.systemUTC(), r -> Thread.ofVirtual().unstarted(r), MediaLoader::load);
        manager.start(new ReplayRequest("tiny.h264", "cam1", true, null));
        assertStatus(() -> manager.start(new ReplayRequest("sub/cam.264", "cam1", true, null)), 409, "running");
    }

    @Test
    void maxReplaysIsEnforcedAndHotUpdatable() {
        manager.deactivate();
        manager = manager(Map.of("max_replays", 2));
        manager.start(new ReplayRequest("tiny.h264", "a", true, null));
        manager.start(new ReplayRequest("tiny.h264", "b", true, null));
        assertStatus(() -> manager.start(new ReplayRequest("tiny.h264", "c", true, null)), 429, "at most 2");

        manager.modified(Configs.of(ReplayManager.Config.class, Map.of("media_dir", media.toString(),
                "max_replays", 3)));
        manager.start(new ReplayRequest("tiny.h264", "c", true, null));
        assertThat(manager.activeStreams()).hasSize(3);
        // One load serves every replay of the same file.
        assertThat(loads).hasValue(1);
    }

    @Test
    void deactivationStopsEveryReplay() {
        manager.start(new ReplayRequest("tiny.h264", "a", true, null));
        manager.start(new ReplayRequest("sub/cam.264", "b", true, null));

        manager.deactivate();

        assertThat(sink.handles).hasSize(2).allSatisfy(h -> assertThat(h.closed).isTrue());
        assertThat(manager.activeStreams()).isEmpty();
        assertStatus(() -> manager.start(new ReplayRequest("tiny.h264", "c", true, null)), 503, "stopping");
    }

    @Test
    void badFilesAreBadRequests() throws Exception {
        assertStatus(() -> manager.start(null), 400, "body");
        assertStatus(() -> manager.start(new ReplayRequest(null, "x", true, null)), 400, "'file' is required");
        assertStatus(() -> manager.start(new ReplayRequest(" ", "x", true, null)), 400, "'file' is required");
        assertStatus(() -> manager.start(new ReplayRequest("../outside.h264", "x", true, null)), 400, "outside");
        assertStatus(() -> manager.start(new ReplayRequest(root.resolve("outside.h264").toString(), "x", true,
                null)), 400, "outside");
        assertStatus(() -> manager.start(new ReplayRequest("missing.h264", "x", true, null)), 400, "does not exist");
        assertStatus(() -> manager.start(new ReplayRequest("notes.txt", "x", true, null)), 400, "supported");
        assertStatus(() -> manager.start(new ReplayRequest("sub", "x", true, null)), 400, "supported");
        assertStatus(() -> manager.start(new ReplayRequest("garbage.h264", "x", true, null)), 400,
                "cannot replay");
        Files.createSymbolicLink(media.resolve("link.h264"), root.resolve("outside.h264"));
        assertStatus(() -> manager.start(new ReplayRequest("link.h264", "x", true, null)), 400, "outside");
        assertThat(sink.handles).isEmpty();
        assertThat(manager.cachedFiles()).isZero();
    }

    @Test
    void badNamesAndFrameRatesAreBadRequests() {
        for (String name : new String[] {"", "a b", "..", ".", "x/y", "a".repeat(129), "ü"}) {
            assertStatus(() -> manager.start(new ReplayRequest("tiny.h264", name, true, null)), 400, "invalid name");
        }
        assertStatus(() -> manager.start(new ReplayRequest("tiny.h264", "x", true, 0.0)), 400, "fps");
        assertStatus(() -> manager.start(new ReplayRequest("tiny.h264", "x", true, 1000.0)), 400, "fps");
        assertStatus(() -> manager.start(new ReplayRequest("tiny.h264", "x", true, Double.NaN)), 400, "fps");
        assertThat(manager.list()).isEmpty();
    }

    @Test
    void frameRateOverrideApplies() {
        ReplayView view = manager.start(new ReplayRequest("tiny.h264", "slow", true, 10.0));
        assertThat(view.fps()).isEqualTo(10.0);
        assertThat(view.duration_ms()).isEqualTo(3000);
    }

    @Test
    void defaultNames() {
        assertThat(ReplayManager.defaultName(Path.of("my cam.h264"))).isEqualTo("my-cam");
        assertThat(ReplayManager.defaultName(Path.of(".h264"))).isEqualTo(".h264");
        assertThat(ReplayManager.defaultName(Path.of("a.b.mp4"))).isEqualTo("a.b");
    }

    private static void assertStatus(Runnable call, int status, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
