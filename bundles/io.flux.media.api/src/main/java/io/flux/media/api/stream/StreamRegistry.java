package io.flux.media.api.stream;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.osgi.annotation.versioning.ProviderType;

/** The media core's view of live streams, and the way to receive their samples. */
@ProviderType
public interface StreamRegistry {

    List<StreamInfo> streams();

    Optional<StreamInfo> stream(StreamId id);

    /** The current GOP of a stream, empty when the stream is unknown or has had no keyframe yet. */
    Optional<Gop> currentGop(StreamId id);

    /**
     * Starts delivering samples of the streams {@code filter} accepts to {@code listener}. {@code maxQueuedGops}
     * bounds how far the listener may fall behind before whole GOPs are dropped for it.
     */
    Subscription subscribe(String name, Predicate<StreamId> filter, int maxQueuedGops, MediaListener listener);

    /** Stops delivery; closing twice is harmless. */
    @ProviderType
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
