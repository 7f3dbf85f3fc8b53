package io.flux.media.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.stream.StreamId;

/**
 * A media core that records what each opened stream received: the samples, each with the clock reading at the
 * push, and whether the stream was closed. A push after close is refused with an {@link IllegalStateException}
 * and remembered in {@link Handle#pushedAfterClose}, so a test sees it even where the caller swallows the
 * exception.
 */
public final class FakeSink implements MediaSink {

    /** One pushed sample and the clock reading when it was pushed. */
    public record Push(long at, MediaSample sample) {
    }

    /** One {@link #open} call. */
    public final class Handle implements StreamHandle {
        public final StreamId id;
        public final String protocol;
        public final List<Push> pushes = new CopyOnWriteArrayList<>();
        /** The samples of {@link #pushes}, in order. */
        public final List<MediaSample> samples = new CopyOnWriteArrayList<>();
        public volatile boolean closed;
        public volatile boolean pushedAfterClose;

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
                throw new IllegalStateException("push after close");
            }
            pushes.add(new Push(time.getAsLong(), sample));
            samples.add(sample);
            if (stopAfter > 0 && pushes.size() >= stopAfter) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    public final List<Handle> handles = new CopyOnWriteArrayList<>();
    private final LongSupplier time;
    private final int stopAfter;

    /** A sink that timestamps pushes with {@link System#nanoTime()} and never interrupts. */
    public FakeSink() {
        this(System::nanoTime, 0);
    }

    /**
     * @param time the clock read at each push
     * @param stopAfter interrupt the pushing thread after this many samples per handle (0: never)
     */
    public FakeSink(LongSupplier time, int stopAfter) {
        this.time = time;
        this.stopAfter = stopAfter;
    }

    @Override
    public StreamHandle open(StreamId id, String protocol) {
        Handle h = new Handle(id, protocol);
        handles.add(h);
        return h;
    }

    /** The handles opened for this stream, in opening order. */
    public List<Handle> of(StreamId id) {
        return handles.stream().filter(h -> h.id.equals(id)).toList();
    }
}
