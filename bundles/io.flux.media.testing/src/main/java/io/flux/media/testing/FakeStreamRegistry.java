package io.flux.media.testing;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.flux.media.api.stream.Gop;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;

/**
 * A StreamRegistry that hands the test the subscriber, so that the test plays the media core's delivery thread:
 * {@code registry.listener.onStreamStart(...)}, {@code onSample}, {@code onStreamEnd}. It remembers the last
 * subscription's filter and queue bound and counts subscriptions and closes.
 */
public final class FakeStreamRegistry implements StreamRegistry {

    public volatile MediaListener listener;
    public volatile Predicate<StreamId> filter;
    public volatile int maxQueuedGops;
    public volatile int subscriptions;
    public volatile int closed;
    /** What {@link #streams()} and {@link #stream} report. */
    public final Map<StreamId, StreamInfo> infos = new ConcurrentHashMap<>();

    @Override
    public List<StreamInfo> streams() {
        return List.copyOf(infos.values());
    }

    @Override
    public Optional<StreamInfo> stream(StreamId id) {
        return Optional.ofNullable(infos.get(id));
    }

    @Override
    public Optional<Gop> currentGop(StreamId id) {
        return Optional.empty();
    }

    @Override
    public synchronized Subscription subscribe(String name, Predicate<StreamId> f, int max, MediaListener l) {
        listener = l;
        filter = f;
        maxQueuedGops = max;
        subscriptions++;
        return () -> {
            synchronized (FakeStreamRegistry.this) {
                closed++;
            }
        };
    }
}
