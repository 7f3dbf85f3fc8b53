package io.flux.media.api.stream;

import io.flux.media.api.sample.MediaSample;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the samples of live streams (recorders, snapshot caches, re-publishers). Each subscription has its
 * own bounded queue and delivery thread: a listener that falls behind loses whole GOPs (reported through
 * {@link #onGopsDropped}) and never slows down ingest or other listeners. Calls for one stream arrive in order
 * on one thread; a listener must not block for long.
 */
@ConsumerType
public interface MediaListener {

    /** A stream was opened (also called for streams already live when the subscription starts). */
    void onStreamStart(StreamInfo stream);

    /**
     * One sample, in decoding order. The first video sample a listener sees for a stream is a keyframe; keyframes
     * carry the parameter sets in-band. The sample's payload is read-only and shared: copy what you keep.
     */
    void onSample(StreamId stream, MediaSample sample);

    /** The stream ended; no more samples follow for it unless it starts again. */
    void onStreamEnd(StreamId stream);

    /** This listener fell behind and {@code gops} whole GOPs were skipped; the next sample is a keyframe. */
    default void onGopsDropped(StreamId stream, int gops) {
    }
}
