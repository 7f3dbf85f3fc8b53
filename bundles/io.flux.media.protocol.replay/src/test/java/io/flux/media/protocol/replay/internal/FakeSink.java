package io.flux.media.protocol.replay.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.stream.StreamId;

/** Records what a replay opens, pushes (with the clock reading at the time) and closes. */
final class FakeSink implements MediaSink {

    record Push(long at, MediaSample sample) {
    }

    final class Handle implements StreamHandle {
        final StreamId id;
        final String protocol;
        final List<Push> pushes = new CopyOnWriteArrayList<>();
        final AtomicBoolean closed = new AtomicBoolean();

        Handle(StreamId id, String protocol) {
            this.id = id;
            this.protocol = protocol;
        }

        @Override
        public StreamId id() {
            return id;
        }

        @Override
        public void push(MediaSample sample) {
            if (closed.get()) {
                throw new IllegalStateException("push after close");
            }
            pushes.add(new Push(time.getAsLong(), sample));
            if (stopAfter > 0 && pushes.size() >= stopAfter) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    final List<Handle> handles = new CopyOnWriteArrayList<>();
    private final LongSupplier time;
    private final int stopAfter;

    /** @param stopAfter interrupt the pushing thread after this many samples per handle (0: never) */
    FakeSink(LongSupplier time, int stopAfter) {
        this.time = time;
        this.stopAfter = stopAfter;
    }

    @Override
    public StreamHandle open(StreamId id, String protocol) {
        Handle h = new Handle(id, protocol);
        handles.add(h);
        return h;
    }
}
