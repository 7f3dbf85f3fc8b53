package io.flux.media.snapshot.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.stream.StreamId;

/**
 * The latest snapshot per stream and picture size, for {@code auto} requests. An entry lives for the TTL
 * counted from the moment its picture was captured; the least recently used entries go first when the
 * cache is full. Small and in memory: every method holds the lock only for map operations.
 */
final class SnapshotCache {

    record Key(StreamId stream, int width, int height) {
    }

    private final LinkedHashMap<Key, Snapshot> entries = new LinkedHashMap<>(16, 0.75f, true);
    private Duration ttl;
    private int maxEntries;

    SnapshotCache(Duration ttl, int maxEntries) {
        configure(ttl, maxEntries);
    }

    synchronized void configure(Duration newTtl, int newMaxEntries) {
        this.ttl = newTtl;
        this.maxEntries = Math.max(0, newMaxEntries);
        trim();
    }

    /** The cached snapshot, or null when absent or older than the TTL. */
    synchronized Snapshot get(Key key, Instant now) {
        Snapshot s = entries.get(key);
        if (s != null && expired(s, now)) {
            entries.remove(key);
            return null;
        }
        return s;
    }

    /** Keeps {@code snapshot} unless the cache already holds a newer picture for the key. */
    synchronized void put(Key key, Snapshot snapshot, Instant now) {
        if (maxEntries == 0 || expired(snapshot, now)) {
            return;
        }
        Snapshot old = entries.get(key);
        if (old != null && old.capturedAt().isAfter(snapshot.capturedAt())) {
            return;
        }
        entries.put(key, snapshot);
        for (Iterator<Snapshot> it = entries.values().iterator(); it.hasNext();) {
            if (expired(it.next(), now)) {
                it.remove();
            }
        }
        trim();
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized void clear() {
        entries.clear();
    }

    private boolean expired(Snapshot s, Instant now) {
        return Duration.between(s.capturedAt(), now).compareTo(ttl) > 0;
    }

    private void trim() {
        for (Iterator<Map.Entry<Key, Snapshot>> it = entries.entrySet().iterator(); entries.size() > maxEntries
                && it.hasNext();) {
            it.next();
            it.remove();
        }
    }
}
