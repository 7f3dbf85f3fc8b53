package io.flux.media.api.stream;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.flux.media.api.sample.Codec;

/** An audio elementary stream's format; {@code decoderConfig} is the AAC AudioSpecificConfig (empty for G.711). */
public record AudioFormat(Codec codec, int sampleRate, int channels, ByteBuffer decoderConfig) {

    public AudioFormat {
        Objects.requireNonNull(codec, "codec");
        if (codec.isVideo()) {
            throw new IllegalArgumentException("not an audio codec: " + codec);
        }
        decoderConfig = decoderConfig == null ? ByteBuffer.allocate(0) : decoderConfig.asReadOnlyBuffer();
    }
}
