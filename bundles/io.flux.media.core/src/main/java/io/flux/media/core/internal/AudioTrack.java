package io.flux.media.core.internal;

import java.nio.ByteBuffer;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.codec.Adts;
import io.flux.media.codec.AdtsHeader;
import io.flux.media.codec.AudioSpecificConfig;
import io.flux.media.codec.CodecException;

/**
 * The audio elementary stream of one live stream. Audio is carried along unchanged; this only keeps its
 * {@link AudioFormat}: from the ADTS header for ADTS-framed AAC (parsed again only when the header's fixed part
 * changes), from the sample's rate and channels for raw AAC and G.711. Not thread-safe: the owning stream
 * guards it.
 */
final class AudioTrack {

    /** The ADTS fixed header: syncword, id, layer, protection, profile, rate index, channel configuration. */
    private static final int ADTS_FIXED_MASK = 0xFFFF_FFC0;

    private Codec codec;
    private AudioFormat format;
    private int adtsFixed;
    private int rawRate;
    private int rawChannels;

    AudioFormat format() {
        return format;
    }

    /**
     * Checks one audio frame and updates the format.
     *
     * @throws CodecException for a corrupt ADTS header
     */
    void process(AudioSample in) throws CodecException {
        if (codec != in.codec()) {
            codec = in.codec();
            format = null;
        }
        ByteBuffer p = in.payload();
        if (!p.hasRemaining()) {
            throw new CodecException("empty audio frame");
        }
        if (codec == Codec.AAC && isAdts(p)) {
            if (p.remaining() < Adts.HEADER_LENGTH) {
                throw new CodecException("ADTS header truncated: " + p.remaining() + " bytes");
            }
            int fixed = p.getInt(p.position()) & ADTS_FIXED_MASK;
            if (format == null || fixed != adtsFixed || rawRate != 0) {
                AdtsHeader h = Adts.parse(p);
                format = new AudioFormat(Codec.AAC, h.sampleRate(), h.channels(), h.audioSpecificConfig());
                adtsFixed = fixed;
                rawRate = 0;
            }
            return;
        }
        if (format == null || rawRate != in.sampleRate() || rawChannels != in.channels()) {
            format = new AudioFormat(codec, in.sampleRate(), in.channels(),
                    codec == Codec.AAC ? rawAacConfig(in.sampleRate(), in.channels()) : null);
            rawRate = in.sampleRate();
            rawChannels = in.channels();
        }
    }

    private static boolean isAdts(ByteBuffer p) {
        int pos = p.position();
        return p.remaining() >= 2 && (p.get(pos) & 0xFF) == 0xFF && (p.get(pos + 1) & 0xF6) == 0xF0;
    }

    /** An AAC-LC AudioSpecificConfig for raw frames, which carry no header of their own. */
    private static ByteBuffer rawAacConfig(int sampleRate, int channels) {
        int channelConfig = channels == 8 ? 7 : Math.min(channels, 6);
        return new AudioSpecificConfig(2, sampleRate, channelConfig, channels).encode();
    }
}
