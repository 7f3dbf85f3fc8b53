package io.flux.media.recording.internal;

import java.nio.ByteBuffer;
import java.util.List;

import io.flux.media.api.sample.Codec;
import io.flux.media.codec.CodecException;
import io.flux.media.codec.DecoderConfig;
import io.flux.media.codec.H264;
import io.flux.media.codec.H265;

/**
 * Sample entries of the stsd box (ISO/IEC 14496-12 12.1.3 / 12.2.3; avcC and hvcC records come from the codec
 * library; esds per 14496-14). NAL units are passed without start codes.
 */
final class SampleEntries {

    /** Length prefix of every NAL unit in our samples (what the codec library's avcC/hvcC records declare). */
    static final int NAL_LENGTH_SIZE = 4;

    private SampleEntries() {
    }

    /** {@code avc1} with its {@code avcC}: the SPS and PPS live in the sample entry, not in the samples. */
    static byte[] avc1(List<ByteBuffer> parameterSets, int width, int height) throws CodecException {
        return visualEntry("avc1", "avcC", DecoderConfig.avcC(parameterSets), width, height);
    }

    /** {@code hvc1} with its {@code hvcC}: VPS, SPS and PPS complete in the sample entry (array_completeness 1). */
    static byte[] hvc1(List<ByteBuffer> parameterSets, int width, int height) throws CodecException {
        return visualEntry("hvc1", "hvcC", DecoderConfig.hvcC(parameterSets), width, height);
    }

    private static byte[] visualEntry(String type, String configType, ByteBuffer config, int width, int height) {
        BoxBuffer b = new BoxBuffer(64 + config.remaining());
        int entry = visualEntryStart(b, type, width, height);
        int box = b.begin(configType);
        b.bytes(config);
        b.end(box);
        b.end(entry);
        return b.toByteArray();
    }

    /** {@code mp4a} with an {@code esds} carrying the AudioSpecificConfig. */
    static byte[] mp4a(int esId, int sampleRate, int channels, ByteBuffer audioSpecificConfig) {
        BoxBuffer b = new BoxBuffer(128);
        int entry = audioEntryStart(b, "mp4a", sampleRate, channels);
        int esds = b.beginFull("esds", 0, 0);
        int asc = audioSpecificConfig.remaining();
        int decConfig = 13 + descriptorSize(asc);
        int es = 3 + descriptorSize(decConfig) + descriptorSize(1);
        descriptorHeader(b, 0x03, es);
        b.u16(esId);
        b.u8(0);
        descriptorHeader(b, 0x04, decConfig);
        b.u8(0x40); // MPEG-4 Audio
        b.u8(0x15); // audio stream, upstream 0, reserved 1
        b.u24(0);
        b.u32(0);
        b.u32(0);
        descriptorHeader(b, 0x05, asc);
        b.bytes(audioSpecificConfig);
        descriptorHeader(b, 0x06, 1);
        b.u8(0x02);
        b.end(esds);
        b.end(entry);
        return b.toByteArray();
    }

    /** {@code alaw} or {@code ulaw}: the QuickTime-style entries ffmpeg's MP4 demuxer maps to G.711. */
    static byte[] g711(Codec codec, int sampleRate, int channels) {
        String type = switch (codec) {
            case G711A -> "alaw";
            case G711U -> "ulaw";
            default -> throw new IllegalArgumentException("not G.711: " + codec);
        };
        BoxBuffer b = new BoxBuffer(64);
        int entry = audioEntryStart(b, type, sampleRate, channels);
        b.end(entry);
        return b.toByteArray();
    }

    private static int visualEntryStart(BoxBuffer b, String type, int width, int height) {
        int entry = b.begin(type);
        b.zeros(6);
        b.u16(1); // data_reference_index
        b.u16(0);
        b.u16(0);
        b.zeros(12);
        b.u16(width);
        b.u16(height);
        b.u32(0x0048_0000); // 72 dpi
        b.u32(0x0048_0000);
        b.u32(0);
        b.u16(1); // frame_count
        b.zeros(32); // compressorname
        b.u16(0x0018);
        b.u16(0xFFFF);
        return entry;
    }

    private static int audioEntryStart(BoxBuffer b, String type, int sampleRate, int channels) {
        int entry = b.begin(type);
        b.zeros(6);
        b.u16(1);
        b.u32(0);
        b.u32(0);
        b.u16(channels);
        b.u16(16);
        b.u16(0);
        b.u16(0);
        // 16.16 fixed point; rates above 65535 Hz do not fit and are written as 0 (the timescale carries them).
        b.u32(sampleRate <= 0xFFFF ? ((long) sampleRate << 16) : 0);
        return entry;
    }

    /** Bytes of a descriptor with {@code payload} bytes of content, written by {@link #descriptorHeader}. */
    private static int descriptorSize(int payload) {
        return 5 + payload;
    }

    /** Tag plus a four-byte expandable size, the form most muxers write. */
    private static void descriptorHeader(BoxBuffer b, int tag, int size) {
        b.u8(tag);
        b.u8(0x80 | ((size >>> 21) & 0x7F));
        b.u8(0x80 | ((size >>> 14) & 0x7F));
        b.u8(0x80 | ((size >>> 7) & 0x7F));
        b.u8(size & 0x7F);
    }

    /** True for NAL units that must not be copied into MP4 samples (they live in the sample entry or are padding). */
    static boolean dropFromSample(Codec codec, ByteBuffer nal) {
        if (codec == Codec.H264) {
            int t = H264.nalType(nal);
            return t == H264.NAL_SPS || t == H264.NAL_PPS || t == H264.NAL_AUD || t == H264.NAL_FILLER || t < 0;
        }
        int t = H265.nalType(nal);
        return t == H265.NAL_VPS || t == H265.NAL_SPS || t == H265.NAL_PPS || t == H265.NAL_AUD
                || t == H265.NAL_FD || t < 0;
    }
}
