package io.flux.media.api.stream;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

import io.flux.media.api.sample.Codec;

/**
 * A video elementary stream's format as parsed from its parameter sets. {@code parameterSets} are NAL units
 * without start codes, in decoding order (H.265: VPS, SPS, PPS; H.264: SPS, PPS), read-only.
 */
public record VideoFormat(Codec codec, int width, int height, String profile, List<ByteBuffer> parameterSets) {

    public VideoFormat {
        Objects.requireNonNull(codec, "codec");
        if (!codec.isVideo()) {
            throw new IllegalArgumentException("not a video codec: " + codec);
        }
        parameterSets = parameterSets.stream().map(ByteBuffer::asReadOnlyBuffer).toList();
    }
}
