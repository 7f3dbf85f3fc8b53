package io.flux.media.protocol.gb28181.internal.media;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.stream.StreamId;

/** A media core that records what each opened stream received. */
final class FakeSink implements MediaSink {

    /** One {@link #open} call. */
    static final class Handle implements StreamHandle {
        final StreamId id;
        final String protocol;
        final List<MediaSample> samples = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        volatile boolean pushedAfterClose;

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
            if (closed) {
                pushedAfterClose = true;
            }
            samples.add(sample);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final List<Handle> handles = new CopyOnWriteArrayList<>();

    @Override
    public StreamHandle open(StreamId id, String protocol) {
        Handle h = new Handle(id, protocol);
        handles.add(h);
        return h;
    }

    /** The handles opened for this stream. */
    List<Handle> of(StreamId id) {
        return handles.stream().filter(h -> h.id.equals(id)).toList();
    }
}
