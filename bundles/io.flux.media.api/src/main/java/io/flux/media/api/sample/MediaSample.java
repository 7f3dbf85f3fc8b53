package io.flux.media.api.sample;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One access unit of an elementary stream. Timestamps are in the 90 kHz clock
 * ({@link #CLOCK_RATE}) for video and audio alike, so that streams from every protocol line up.
 * The payload is read-only and owned by the sample; consumers must not keep it past the call
 * that handed it over unless they copy it.
 */
@ProviderType
public sealed interface MediaSample permits VideoSample, AudioSample {

    int CLOCK_RATE = 90_000;

    Codec codec();

    /** Presentation timestamp, 90 kHz units. */
    long pts();

    /** Decoding timestamp, 90 kHz units. */
    long dts();

    ByteBuffer payload();
}
