package io.flux.media.protocol.replay.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;

/**
 * A file prepared for replay: every sample's payload ready to push (Annex B access units with parameter sets on
 * keyframes, ADTS-framed AAC) and the sample table in delivery (decoding) order, 90 kHz timestamps starting at
 * the first keyframe's decoding time 0. Immutable and shared by every replay of the same file.
 */
final class MediaFile {

    static final byte VIDEO = 0;
    static final byte KEYFRAME = 1;
    static final byte AUDIO = 2;

    enum Container { ANNEX_B, MP4 }

    private final Path path;
    private final Container container;
    private final Codec videoCodec;
    private final int width;
    private final int height;
    private final String profile;
    private final double frameRate;
    private final Codec audioCodec;
    private final int sampleRate;
    private final int channels;
    private final ByteBuffer[] payloads;
    private final long[] pts;
    private final long[] dts;
    private final byte[] kinds;
    private final long period;
    private final long bytes;

    MediaFile(Path path, Container container, Codec videoCodec, int width, int height, String profile,
            double frameRate, Codec audioCodec, int sampleRate, int channels, ByteBuffer[] payloads, long[] pts,
            long[] dts, byte[] kinds, long period) {
        this.path = path;
        this.container = container;
        this.videoCodec = videoCodec;
        this.width = width;
        this.height = height;
        this.profile = profile;
        this.frameRate = frameRate;
        this.audioCodec = audioCodec;
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.payloads = payloads;
        this.pts = pts;
        this.dts = dts;
        this.kinds = kinds;
        this.period = period;
        long total = 0;
        for (ByteBuffer b : payloads) {
            total += b.remaining();
        }
        this.bytes = total;
    }

    Path path() {
        return path;
    }

    Container container() {
        return container;
    }

    Codec videoCodec() {
        return videoCodec;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    String profile() {
        return profile;
    }

    double frameRate() {
        return frameRate;
    }

    /** AAC when the file has a usable audio track, else null. */
    Codec audioCodec() {
        return audioCodec;
    }

    int sampleRate() {
        return sampleRate;
    }

    int channels() {
        return channels;
    }

    int size() {
        return kinds.length;
    }

    /** Length of one pass in 90 kHz units: the next loop's timestamps are this much later. */
    long period() {
        return period;
    }

    /** Payload bytes of one pass. */
    long bytes() {
        return bytes;
    }

    long dts(int i) {
        return dts[i];
    }

    long pts(int i) {
        return pts[i];
    }

    byte kind(int i) {
        return kinds[i];
    }

    int count(byte kind) {
        int n = 0;
        for (byte k : kinds) {
            n += k == kind ? 1 : 0;
        }
        return n;
    }

    /** Sample {@code i} with {@code offset} (90 kHz) added to its timestamps; the payload is a shared view. */
    MediaSample sample(int i, long offset) {
        ByteBuffer payload = payloads[i];
        if (kinds[i] == AUDIO) {
            return new AudioSample(audioCodec, pts[i] + offset, sampleRate, channels, payload);
        }
        return new VideoSample(videoCodec, pts[i] + offset, dts[i] + offset, kinds[i] == KEYFRAME, payload);
    }
}
