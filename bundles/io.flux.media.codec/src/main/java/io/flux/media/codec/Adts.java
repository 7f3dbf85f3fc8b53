package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** AAC in ADTS framing (ISO/IEC 13818-7 / 14496-3 1.A.2). */
public final class Adts {

    public static final int HEADER_LENGTH = 7;

    private Adts() {
    }

    /** Parses the ADTS header at the buffer's position (neither position nor limit change). */
    public static AdtsHeader parse(ByteBuffer buf) throws CodecException {
        if (buf.remaining() < HEADER_LENGTH) {
            throw new CodecException("ADTS header truncated: " + buf.remaining() + " bytes");
        }
        int p = buf.position();
        int b0 = buf.get(p) & 0xFF;
        int b1 = buf.get(p + 1) & 0xFF;
        int b2 = buf.get(p + 2) & 0xFF;
        int b3 = buf.get(p + 3) & 0xFF;
        int b4 = buf.get(p + 4) & 0xFF;
        int b5 = buf.get(p + 5) & 0xFF;
        if (b0 != 0xFF || (b1 & 0xF0) != 0xF0) {
            throw new CodecException("no ADTS sync word");
        }
        if ((b1 & 0x06) != 0) {
            throw new CodecException("ADTS layer must be 0");
        }
        boolean crc = (b1 & 0x01) == 0;
        int objectType = ((b2 >> 6) & 0x3) + 1;
        int rateIndex = (b2 >> 2) & 0xF;
        int rate = AudioSpecificConfig.rateOfIndex(rateIndex);
        if (rate < 0) {
            throw new CodecException("invalid ADTS sampling frequency index " + rateIndex);
        }
        int channelConfig = ((b2 & 0x1) << 2) | ((b3 >> 6) & 0x3);
        if (channelConfig == 0) {
            throw new CodecException("ADTS channel configuration 0 (program config element) is not supported");
        }
        int frameLength = ((b3 & 0x3) << 11) | (b4 << 3) | ((b5 >> 5) & 0x7);
        int headerLength = crc ? 9 : 7;
        if (frameLength < headerLength) {
            throw new CodecException("ADTS frame length " + frameLength + " shorter than its header");
        }
        AudioSpecificConfig asc = new AudioSpecificConfig(objectType, rate, channelConfig,
                AudioSpecificConfig.channelsOf(channelConfig));
        return new AdtsHeader(rate, asc.channels(), frameLength, asc.encode(), headerLength, objectType);
    }

    /**
     * Splits a buffer of back-to-back ADTS frames into frames (slices, headers included).
     *
     * @throws CodecException on a bad header or a frame running past the end
     */
    public static List<ByteBuffer> split(ByteBuffer buf) throws CodecException {
        List<ByteBuffer> out = new ArrayList<>(2);
        ByteBuffer view = buf.duplicate();
        while (view.hasRemaining()) {
            AdtsHeader h = parse(view);
            if (h.frameLength() > view.remaining()) {
                throw new CodecException("ADTS frame of " + h.frameLength() + " bytes truncated to "
                        + view.remaining());
            }
            out.add(view.slice(view.position(), h.frameLength()));
            view.position(view.position() + h.frameLength());
        }
        return out;
    }

    /**
     * Writes a 7-byte ADTS header (no CRC) for a raw AAC frame of {@code payloadLength} bytes.
     *
     * @throws CodecException when the configuration cannot be expressed in ADTS (object type above 4, a rate
     *                        without index, channel configuration 0 or above 7, frame too long)
     */
    public static void writeHeader(ByteBuffer out, AudioSpecificConfig asc, int payloadLength)
            throws CodecException {
        int rateIndex = AudioSpecificConfig.indexOfRate(asc.sampleRate());
        int objectType = asc.objectType();
        // HE-AAC (SBR/PS) is signalled implicitly in ADTS: the core is AAC LC.
        if (objectType == 5 || objectType == 29) {
            objectType = 2;
        }
        if (objectType < 1 || objectType > 4 || rateIndex < 0 || asc.channelConfig() < 1
                || asc.channelConfig() > 7) {
            throw new CodecException("AudioSpecificConfig " + asc + " has no ADTS form");
        }
        int frameLength = payloadLength + HEADER_LENGTH;
        if (frameLength > 0x1FFF) {
            throw new CodecException("AAC frame of " + payloadLength + " bytes is too long for ADTS");
        }
        int profile = objectType - 1;
        int ch = asc.channelConfig();
        out.put((byte) 0xFF);
        out.put((byte) 0xF1); // MPEG-4, layer 0, no CRC
        out.put((byte) ((profile << 6) | (rateIndex << 2) | (ch >> 2)));
        out.put((byte) (((ch & 0x3) << 6) | (frameLength >> 11)));
        out.put((byte) ((frameLength >> 3) & 0xFF));
        out.put((byte) (((frameLength & 0x7) << 5) | 0x1F)); // buffer fullness 0x7FF: variable rate
        out.put((byte) 0xFC); // buffer fullness low bits, one raw data block
    }

    /** A new buffer holding an ADTS header followed by the raw AAC frame. */
    public static ByteBuffer wrap(AudioSpecificConfig asc, ByteBuffer rawFrame) throws CodecException {
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + rawFrame.remaining());
        writeHeader(out, asc, rawFrame.remaining());
        out.put(rawFrame.duplicate());
        return out.flip();
    }
}
