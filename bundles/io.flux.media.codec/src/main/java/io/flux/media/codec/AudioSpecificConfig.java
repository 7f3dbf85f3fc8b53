package io.flux.media.codec;

import java.nio.ByteBuffer;

/**
 * The essentials of an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1).
 *
 * @param objectType    audio object type (2 = AAC LC, 5 = SBR, 29 = PS, ...)
 * @param sampleRate    sampling frequency in Hz
 * @param channelConfig channel configuration (1-7; 0 means a program config element defines them)
 * @param channels      number of channels for the configuration (0 when {@code channelConfig} is 0)
 */
public record AudioSpecificConfig(int objectType, int sampleRate, int channelConfig, int channels) {

    private static final int[] RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
        11025, 8000, 7350};

    /** Parses an AudioSpecificConfig (as in an esds DecoderSpecificInfo or SDP config=). */
    public static AudioSpecificConfig parse(ByteBuffer asc) throws CodecException {
        BitReader r = new BitReader(asc);
        int objectType = r.u(5);
        if (objectType == 31) {
            objectType = 32 + r.u(6);
        }
        if (objectType == 0) {
            throw new CodecException("audio object type 0 is invalid");
        }
        int index = r.u(4);
        int rate = index == 15 ? r.u(24) : rateOfIndex(index);
        if (rate <= 0) {
            throw new CodecException("invalid sampling frequency " + rate);
        }
        int config = r.u(4);
        if (config > 7 && config != 11 && config != 12 && config != 14) {
            throw new CodecException("unsupported channel configuration " + config);
        }
        return new AudioSpecificConfig(objectType, rate, config, channelsOf(config));
    }

    /**
     * Encodes this configuration with a zeroed GASpecificConfig (frame length 1024, no core coder, no
     * extension): 2 bytes for the usual rates and object types.
     */
    public ByteBuffer encode() {
        long bits;
        int n;
        if (objectType > 30) {
            bits = (31L << 6) | (objectType - 32);
            n = 11;
        } else {
            bits = objectType;
            n = 5;
        }
        int index = indexOfRate(sampleRate);
        if (index >= 0) {
            bits = (bits << 4) | index;
            n += 4;
        } else {
            bits = (((bits << 4) | 15) << 24) | (sampleRate & 0xFFFFFF);
            n += 28;
        }
        bits = (((bits << 4) | (channelConfig & 0xF)) << 3);
        n += 7;
        int bytes = (n + 7) / 8;
        bits <<= bytes * 8 - n;
        ByteBuffer out = ByteBuffer.allocate(bytes);
        for (int shift = bytes * 8 - 8; shift >= 0; shift -= 8) {
            out.put((byte) (bits >>> shift));
        }
        return out.flip();
    }

    /** The sampling frequency of a 4-bit index, or -1 for a reserved index. */
    public static int rateOfIndex(int index) {
        return index >= 0 && index < RATES.length ? RATES[index] : -1;
    }

    /** The 4-bit index of a sampling frequency, or -1 when it has none. */
    public static int indexOfRate(int rate) {
        for (int i = 0; i < RATES.length; i++) {
            if (RATES[i] == rate) {
                return i;
            }
        }
        return -1;
    }

    /** Channels of a channel configuration (1-7 and the later 11, 12, 14), 0 when unknown. */
    public static int channelsOf(int channelConfig) {
        return switch (channelConfig) {
            case 1, 2, 3, 4, 5, 6 -> channelConfig;
            case 7 -> 8;
            case 11 -> 7;
            case 12, 14 -> 8;
            default -> 0;
        };
    }
}
