package io.flux.media.api.sample;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A video access unit: Annex B NAL units (start-code delimited), pts/dts in 90 kHz units,
 * and whether it starts a GOP (H.264 IDR, H.265 IRAP).
 */
public record VideoSample(Codec codec, long pts, long dts, boolean keyframe, ByteBuffer payload)
        implements MediaSample {

    public VideoSample {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(payload, "payload");
        if (!codec.isVideo()) {
            throw new IllegalArgumentException("not a video codec: " + codec);
        }
        payload = payload.asReadOnlyBuffer();
    }
}
