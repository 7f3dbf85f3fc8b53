package io.flux.media.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.stream.StreamId;

class SnapshotCacheTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static SnapshotCache.Key key(String id) {
        return new SnapshotCache.Key(StreamId.of(id), 0, 0);
    }

    static Snapshot shot(Instant at) {
        return new Snapshot(new byte[] { 1 }, 320, 240, SnapshotMode.KEYFRAME, at);
    }

    @Test
    void keepsTheMostRecentlyUsedEntriesWithinTheBound() {
        SnapshotCache cache = new SnapshotCache(Duration.ofMinutes(1), 2);
        cache.put(key("a/1"), shot(T0), T0);
        cache.put(key("a/2"), shot(T0), T0);
        assertThat(cache.get(key("a/1"), T0)).isNotNull();
        cache.put(key("a/3"), shot(T0), T0);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(key("a/2"), T0)).as("least recently used").isNull();
        assertThat(cache.get(key("a/1"), T0)).isNotNull();
        assertThat(cache.get(key("a/3"), T0)).isNotNull();

        cache.configure(Duration.ofMinutes(1), 1);
        assertThat(cache.size()).isEqualTo(1);
        cache.configure(Duration.ofMinutes(1), 0);
        cache.put(key("a/4"), shot(T0), T0);
        assertThat(cache.size()).isZero();
    }

    @Test
    void entriesExpireByCaptureTimeAndAreSweptOnPut() {
        SnapshotCache cache = new SnapshotCache(Duration.ofSeconds(10), 10);
        cache.put(key("a/1"), shot(T0), T0);
        assertThat(cache.get(key("a/1"), T0.plusSeconds(10))).isNotNull();
        assertThat(cache.get(key("a/1"), T0.plusSeconds(11))).isNull();

        cache.put(key("a/1"), shot(T0), T0);
        cache.put(key("a/2"), shot(T0.plusSeconds(20)), T0.plusSeconds(20));
        assertThat(cache.size()).isEqualTo(1);
        // Already too old when offered: not kept.
        cache.put(key("a/3"), shot(T0), T0.plusSeconds(30));
        assertThat(cache.get(key("a/3"), T0.plusSeconds(30))).isNull();
    }

    @Test
    void anOlderPictureNeverReplacesANewerOne() {
        SnapshotCache cache = new SnapshotCache(Duration.ofMinutes(1), 10);
        Snapshot newer = shot(T0.plusSeconds(2));
        cache.put(key("a/1"), newer, T0.plusSeconds(2));
        cache.put(key("a/1"), shot(T0), T0.plusSeconds(3));
        assertThat(cache.get(key("a/1"), T0.plusSeconds(3))).isSameAs(newer);
    }

    @Test
    void picturesOfDifferentSizesAreSeparateEntries() {
        SnapshotCache cache = new SnapshotCache(Duration.ofMinutes(1), 10);
        cache.put(key("a/1"), shot(T0), T0);
        assertThat(cache.get(new SnapshotCache.Key(StreamId.of("a/1"), 160, 0), T0)).isNull();
    }
}
