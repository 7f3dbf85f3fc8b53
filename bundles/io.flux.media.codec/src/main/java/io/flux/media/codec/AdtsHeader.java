package io.flux.media.codec;

import java.nio.ByteBuffer;

/**
 * One ADTS frame header.
 *
 * @param sampleRate          sampling frequency in Hz
 * @param channels            number of channels
 * @param frameLength         length of the whole frame, header included
 * @param audioSpecificConfig the equivalent 2-byte AudioSpecificConfig (read-only)
 * @param headerLength        7, or 9 with a CRC
 * @param objectType          audio object type (profile + 1; 2 = AAC LC)
 */
public record AdtsHeader(int sampleRate, int channels, int frameLength, ByteBuffer audioSpecificConfig,
        int headerLength, int objectType) {

    public AdtsHeader {
        audioSpecificConfig = audioSpecificConfig.asReadOnlyBuffer();
    }

    /** Raw AAC payload length (frame minus header). */
    public int payloadLength() {
        return frameLength - headerLength;
    }
}
