package io.flux.media.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.codec.CodecException;

class AudioTrackTest {

    private final AudioTrack track = new AudioTrack();

    @Test
    void adtsHeaderGivesTheFormat() throws CodecException {
        // The sample claims 8 kHz mono; the ADTS header (48 kHz stereo) wins.
        AudioSample adts = Samples.adts(0, 100);
        track.process(new AudioSample(Codec.AAC, 0, 8000, 1, adts.payload()));

        assertThat(track.format().codec()).isEqualTo(Codec.AAC);
        assertThat(track.format().sampleRate()).isEqualTo(48000);
        assertThat(track.format().channels()).isEqualTo(2);
        // AAC LC (2), 48 kHz (index 3), 2 channels: 0x11 0x90.
        assertThat(track.format().decoderConfig()).isEqualTo(ByteBuffer.wrap(new byte[] {0x11, (byte) 0x90}));
    }

    @Test
    void rawAacTakesRateAndChannelsFromTheSample() throws CodecException {
        track.process(new AudioSample(Codec.AAC, 0, 44100, 1, ByteBuffer.wrap(new byte[] {0x21, 0x10, 0x05})));

        assertThat(track.format().sampleRate()).isEqualTo(44100);
        assertThat(track.format().channels()).isEqualTo(1);
        // AAC LC, 44.1 kHz (index 4), mono: 0x12 0x08.
        assertThat(track.format().decoderConfig()).isEqualTo(ByteBuffer.wrap(new byte[] {0x12, 0x08}));
    }

    @Test
    void g711IsCarriedAlong() throws CodecException {
        track.process(Samples.g711a(0));

        assertThat(track.format().codec()).isEqualTo(Codec.G711A);
        assertThat(track.format().sampleRate()).isEqualTo(8000);
        assertThat(track.format().channels()).isEqualTo(1);
        assertThat(track.format().decoderConfig().remaining()).isZero();
    }

    @Test
    void corruptAdtsThrows() {
        ByteBuffer truncated = ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xF1, 0x4C});
        assertThatThrownBy(() -> track.process(new AudioSample(Codec.AAC, 0, 48000, 2, truncated)))
                .isInstanceOf(CodecException.class);
        // Reserved sampling frequency index 15.
        ByteBuffer badRate = ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xF1, 0x7C, (byte) 0x80, 0x01, 0x1F,
            (byte) 0xFC, 0x00});
        assertThatThrownBy(() -> track.process(new AudioSample(Codec.AAC, 0, 48000, 2, badRate)))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> track.process(new AudioSample(Codec.G711U, 0, 8000, 1, ByteBuffer.allocate(0))))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void formatFollowsChanges() throws CodecException {
        track.process(Samples.adts(0, 10));
        track.process(new AudioSample(Codec.G711U, 0, 8000, 1, ByteBuffer.wrap(new byte[] {1, 2})));

        assertThat(track.format().codec()).isEqualTo(Codec.G711U);

        track.process(Samples.adts(0, 10));
        assertThat(track.format().codec()).isEqualTo(Codec.AAC);
        assertThat(track.format().sampleRate()).isEqualTo(48000);
    }
}
