package io.flux.media.mpegps;

import org.osgi.annotation.versioning.ConsumerType;

import io.flux.media.api.sample.MediaSample;

/**
 * Receives the samples a {@link PsDemuxer} assembles, on the thread that feeds it. Payloads are read-only slices
 * owned by the sample (never rewritten), so a listener may keep them. Exceptions thrown here propagate to the
 * caller of {@code feed}, and the rest of that input is not parsed.
 */
@ConsumerType
@FunctionalInterface
public interface SampleListener {

    /** One {@link io.flux.media.api.sample.VideoSample} or {@link io.flux.media.api.sample.AudioSample}. */
    void onSample(MediaSample sample);
}
