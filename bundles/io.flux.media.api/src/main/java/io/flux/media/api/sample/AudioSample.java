package io.flux.media.api.sample;

import java.nio.ByteBuffer;
import java.util.Objects;

/** An audio frame (AAC raw or ADTS, G.711 A-law or µ-law), pts in 90 kHz units. */
public record AudioSample(Codec codec, long pts, int sampleRate, int channels, ByteBuffer payload)
        implements MediaSample {

    public AudioSample {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(payload, "payload");
        if (codec.isVideo()) {
            throw new IllegalArgumentException("not an audio codec: " + codec);
        }
        if (sampleRate <= 0 || channels <= 0) {
            throw new IllegalArgumentException("sample rate and channels must be positive");
        }
        payload = payload.asReadOnlyBuffer();
    }

    /** Audio has no reordering: dts equals pts. */
    @Override
    public long dts() {
        return pts;
    }
}
