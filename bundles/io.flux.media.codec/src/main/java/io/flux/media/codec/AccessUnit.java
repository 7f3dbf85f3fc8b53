package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One access unit (coded picture with its parameter sets, SEI, ...) found in an Annex B byte stream.
 *
 * @param data     the access unit's bytes as they appear in the stream, start codes included (a slice)
 * @param nals     its NAL units without start codes (slices of {@code data}'s memory)
 * @param keyframe true for an H.264 IDR or an H.265 IRAP picture
 */
public record AccessUnit(ByteBuffer data, List<ByteBuffer> nals, boolean keyframe) {
}
