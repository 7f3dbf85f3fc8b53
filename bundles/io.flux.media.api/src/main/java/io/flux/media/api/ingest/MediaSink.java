package io.flux.media.api.ingest;

import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.stream.StreamId;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where protocol handlers push samples; the media core provides it. Implementations never block the
 * caller: each stream has a bounded queue and, when its consumers fall behind, whole GOPs are dropped.
 */
@ProviderType
public interface MediaSink {

    /** Opens (or re-opens) a live stream; samples may be pushed once this returns. */
    StreamHandle open(StreamId id, String protocol);

    /** A live stream as seen by the handler that feeds it. */
    @ProviderType
    interface StreamHandle extends AutoCloseable {

        StreamId id();

        /** Hands one sample over; returns without blocking. */
        void push(MediaSample sample);

        /** Ends the stream: consumers see end of stream, recordings close their segment. */
        @Override
        void close();
    }
}
