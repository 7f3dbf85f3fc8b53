package io.flux.media.publish.rtsp.internal;

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

/** A StreamRegistry that hands the test the subscriber, so the test plays the media core's delivery thread. */
final class FakeRegistry implements StreamRegistry {

    volatile MediaListener listener;
    volatile int subscriptions;
    volatile int closed;
    final Map<StreamId, StreamInfo> infos = new ConcurrentHashMap<>();

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
    public Subscription subscribe(String name, Predicate<StreamId> f, int max, MediaListener l) {
        this.listener = l;
        subscriptions++;
        return () -> closed++;
    }
}
